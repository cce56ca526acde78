using Compiled.Internal;

namespace Compiled.Connectors;

/// <summary>
/// The schemes of one side (sources or sinks): the built-in ones, which <see cref="ConnectorRegistry"/> creates itself,
/// and the registered ones with the function that creates their connector. Registration happens in module
/// initializers, creation when a run binds its URIs; both may come from any thread.
/// </summary>
/// <typeparam name="TCreate">The creating function: a delegate to the factory's static <c>Create</c>.</typeparam>
internal sealed class ConnectorTable<TCreate>
    where TCreate : Delegate
{
    private readonly string _role;
    private readonly string[][] _builtIn;
    private readonly Dictionary<string, Entry> _registered = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates the table of <paramref name="role"/> (<c>source</c> or <c>sink</c>) over its built-in schemes.</summary>
    public ConnectorTable(string role, string[][] builtIn)
    {
        _role = role;
        _builtIn = builtIn;
    }

    /// <summary>
    /// Registers <paramref name="factory"/> for <paramref name="scheme"/>. The same factory again is a no-op; another
    /// factory for a registered or built-in scheme is an error that names both.
    /// </summary>
    /// <exception cref="ArgumentException">The scheme is not valid, or taken by another connector.</exception>
    public void Add(string scheme, string? usage, Type factory, TCreate create)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(create);
        if (scheme.Length == 0 || !ConnectorUri.IsSchemeText(scheme) || scheme != scheme.ToLowerInvariant())
        {
            throw new ArgumentException(
                $"{_role} scheme '{scheme}' of {factory.FullName} is not a URI scheme; write it in lower case, a letter followed by letters, digits, '+', '-' or '.'",
                nameof(scheme));
        }

        if (KnownSchemes.Contains(_builtIn, scheme))
        {
            throw new ArgumentException(
                $"{_role} scheme '{scheme}' is built into Compiled and cannot be registered again by {factory.FullName}; give the connector another scheme",
                nameof(scheme));
        }

        string shown = string.IsNullOrWhiteSpace(usage) ? scheme + ":" : usage;
        lock (_gate)
        {
            if (_registered.TryGetValue(scheme, out Entry? existing))
            {
                if (existing.Factory == factory)
                {
                    return;
                }

                throw new ArgumentException(
                    $"{_role} scheme '{scheme}' is registered twice: by {existing.Factory.FullName} and by {factory.FullName}; reference only one of the connectors, or give one another scheme",
                    nameof(scheme));
            }

            _registered.Add(scheme, new Entry(factory, shown, create));
        }
    }

    /// <summary>The function that creates the connector of <paramref name="scheme"/>, if one is registered.</summary>
    public bool TryGet(string scheme, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TCreate? create)
    {
        lock (_gate)
        {
            if (_registered.TryGetValue(scheme, out Entry? entry))
            {
                create = entry.Create;
                return true;
            }
        }

        create = null;
        return false;
    }

    /// <summary>The usage examples of every scheme, built-in first, then registered ones by scheme, joined with ", ".</summary>
    public string Usage()
    {
        var parts = new List<string>(_builtIn.Length + 4);
        foreach (string[] row in _builtIn)
        {
            parts.Add(row[1]);
        }

        lock (_gate)
        {
            foreach (KeyValuePair<string, Entry> pair in _registered.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                parts.Add(pair.Value.Usage);
            }
        }

        return string.Join(", ", parts);
    }

    /// <summary>The first usage example: the one a message shows when it shows only one.</summary>
    public string FirstExample() => _builtIn[0][1].Split([" or ", ", "], StringSplitOptions.None)[0];

    private sealed record Entry(Type Factory, string Usage, TCreate Create);
}
