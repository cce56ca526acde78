using System.Globalization;
using Compiled.Internal;

namespace Compiled.Connectors;

/// <summary>
/// A source or sink URI taken apart: <c>scheme://target?option=value&amp;...</c>. The target is everything
/// between <c>scheme:</c> (with or without <c>//</c>) and <c>?</c>: <c>host:port</c> for <c>tcp</c>, a path
/// for <c>file</c> (<c>file:///abs/path</c> is absolute, <c>file://rel/path</c> and <c>file:rel/path</c>
/// are relative). A connector reads its options with the <c>Take*</c> methods; an option that none took
/// is an error, so a misspelt option never passes silently.
/// </summary>
public sealed class ConnectorUri
{
    private readonly Dictionary<string, string> _options;
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    private ConnectorUri(string text, string role, string scheme, string target, Dictionary<string, string> options)
    {
        Original = text;
        Text = UriSecrets.Redact(text);
        Role = role;
        Scheme = scheme;
        Target = target;
        _options = options;
    }

    /// <summary>
    /// The URI as written, with its secrets (a password in its user part, a <c>password=</c> or other secret option)
    /// replaced by <c>***</c> (<see cref="UriSecrets"/>): what logs, messages and checkpoints show.
    /// </summary>
    public string Text { get; }

    /// <summary>The URI exactly as written, secrets included: for a connector that needs them to connect. Never log it.</summary>
    public string Original { get; }

    /// <summary><c>source</c> or <c>sink</c>: which side the URI binds, for messages.</summary>
    public string Role { get; }

    /// <summary>The scheme, in lower case: <c>tcp</c>, <c>file</c>, <c>stdin</c>, <c>console</c>.</summary>
    public string Scheme { get; }

    /// <summary>What the URI points at: <c>localhost:9999</c>, <c>/var/log/app/</c>. Percent-escapes are decoded.</summary>
    public string Target { get; }

    /// <summary>Takes a URI apart. <paramref name="role"/> is <c>source</c> or <c>sink</c>, for messages.</summary>
    /// <exception cref="ConnectorUriException">The text is not a URI.</exception>
    public static ConnectorUri Parse(string text, string role)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();

        // The scheme ends at ':' or, for a bare word with options such as "console?num=3", at '?'.
        int colon = trimmed.IndexOfAny([':', '?']);
        string scheme = (colon < 0 ? trimmed : trimmed[..colon]).ToLowerInvariant();
        if (scheme.Length == 0 || !IsSchemeText(scheme))
        {
            string shown = UriSecrets.Redact(text);
            throw new ConnectorUriException(shown, role,
                $"'{shown}' is not a {role} URI; write scheme:target, e.g. {Example(role)}");
        }

        string rest = colon < 0 ? "" : trimmed[colon] == '?' ? trimmed[colon..] : trimmed[(colon + 1)..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            rest = rest[2..];
        }

        int question = rest.IndexOf('?');
        string target = Uri.UnescapeDataString(question < 0 ? rest : rest[..question]);
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (question >= 0)
        {
            foreach (string pair in rest[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=');
                string name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                string value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
                if (!options.TryAdd(name, value))
                {
                    throw new ConnectorUriException(UriSecrets.Redact(text), role, $"{role} URI '{UriSecrets.Redact(text)}' sets option '{name}' twice; keep one");
                }
            }
        }

        return new ConnectorUri(text, role, scheme, target, options);
    }

    /// <summary>Reads a text option, or <paramref name="defaultValue"/> if the URI does not set it.</summary>
    public string? TakeString(string name, string? defaultValue = null)
    {
        _known.Add(name);
        return _options.TryGetValue(name, out string? value) ? value : defaultValue;
    }

    /// <summary>Reads a whole-number option of at least <paramref name="minimum"/>.</summary>
    public int TakeInt32(string name, int defaultValue, int minimum = int.MinValue)
    {
        string? text = TakeString(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
        {
            throw Invalid(name, text, minimum > int.MinValue ? $"a whole number of at least {minimum}" : "a whole number");
        }

        return value;
    }

    /// <summary>Reads a <c>true</c>/<c>false</c> option.</summary>
    public bool TakeBoolean(string name, bool defaultValue)
    {
        string? text = TakeString(name);
        if (text is null)
        {
            return defaultValue;
        }

        return text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "" => true,
            "false" or "0" or "no" => false,
            _ => throw Invalid(name, text, "true or false"),
        };
    }

    /// <summary>Reads a duration option written as <c>500ms</c>, <c>1s</c>, <c>2m</c>: from 1 ms to the longest a timer waits (about 49.7 days).</summary>
    public TimeSpan TakeDuration(string name, TimeSpan defaultValue)
    {
        string? text = TakeString(name);
        if (text is null)
        {
            return defaultValue;
        }

        // A connector's durations are waits (backoff, timeouts, polling), so they are bounded by what a timer takes.
        if (DurationText.TryParseTimer(text, out TimeSpan value, out string wrong))
        {
            return value;
        }

        throw wrong.StartsWith("is not a duration", StringComparison.Ordinal)
            ? Invalid(name, text, DurationText.Usage)
            : new ConnectorUriException(Text, Role, $"option '{name}={text}' of {Role} URI '{Text}' {wrong}");
    }

    /// <summary>Reads an option naming a member of <typeparamref name="TEnum"/>, in any case.</summary>
    public TEnum TakeEnum<TEnum>(string name, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        string? text = TakeString(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!Enum.TryParse(text, ignoreCase: true, out TEnum value) || !Enum.IsDefined(value) || char.IsDigit(text[0]))
        {
            string names = string.Join(" or ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));
            throw Invalid(name, text, names);
        }

        return value;
    }

    /// <summary>
    /// Takes every option whose name <paramref name="belongs"/> accepts, in the order written: for a connector that
    /// passes its client library's own properties through (e.g. every name with a dot, <c>api.version.request=false</c>).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> TakeOptions(Func<string, bool> belongs)
    {
        ArgumentNullException.ThrowIfNull(belongs);
        var taken = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<string, string> option in _options)
        {
            if (belongs(option.Key))
            {
                _known.Add(option.Key);
                taken.Add(option);
            }
        }

        return taken;
    }

    /// <summary>
    /// Fails if the URI sets an option that no <c>Take*</c> call read. Connectors call it at the end of
    /// their constructor (the registry does it for them).
    /// </summary>
    /// <exception cref="ConnectorUriException">An option is unknown.</exception>
    public void ThrowIfUnknownOptions()
    {
        foreach (string name in _options.Keys)
        {
            if (!_known.Contains(name))
            {
                string known = _known.Count == 0 ? "none" : string.Join(", ", _known.Order(StringComparer.Ordinal));
                throw new ConnectorUriException(Text, Role,
                    $"{Scheme} {Role} URI '{Text}' has an unknown option '{name}'; the options of a {Scheme} {Role} are: {known}");
            }
        }
    }

    /// <summary>An error about this URI with the given explanation, for connectors' own checks.</summary>
    public ConnectorUriException Error(string message) => new(Text, Role, message);

    /// <inheritdoc />
    public override string ToString() => Text;

    private ConnectorUriException Invalid(string name, string value, string expected) =>
        new(Text, Role, $"option '{name}={value}' of {Role} URI '{Text}' is not valid; write {expected}");

    /// <summary>Whether <paramref name="scheme"/> is a scheme: a letter, then letters, digits, '+', '-' or '.'.</summary>
    internal static bool IsSchemeText(string scheme)
    {
        if (!char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }

        foreach (char c in scheme)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Example(string role) => ConnectorRegistry.Usage(role);
}

/// <summary>A source or sink URI that cannot be used, with a message that says what to write instead.</summary>
public sealed class ConnectorUriException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ConnectorUriException(string uri, string role, string message)
        : base(message)
    {
        Uri = uri;
        Role = role;
    }

    /// <summary>The URI as written.</summary>
    public string Uri { get; }

    /// <summary><c>source</c> or <c>sink</c>.</summary>
    public string Role { get; }
}
