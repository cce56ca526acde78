using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Compiled.Tests.Shared.Servers;

/// <summary>
/// A real PostgreSQL server for tests: a new cluster in a temporary directory (<c>initdb</c>), started on a free loopback
/// port with <c>max_prepared_transactions</c> and logical replication enabled, stopped and deleted at dispose. Run as
/// root, the server runs as user <c>postgres</c> (it refuses root) through <c>setpriv</c>. The Debian package
/// <c>postgresql</c> provides it; <c>scripts/servers/install.sh</c> installs it.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgresUser;
    private Process? _process;

    private readonly string[] _settings;

    private PostgresServer(string bin, string directory, int port, bool asPostgresUser, string[] settings)
    {
        _settings = settings;
        _bin = bin;
        _directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The loopback port the server listens on; it keeps it across <see cref="StopAsync"/> and <see cref="StartAsync"/>.</summary>
    public int Port { get; }

    /// <summary>The cluster's data directory.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>An Npgsql connection string to <paramref name="database"/> as user <c>postgres</c>, without pooling.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    /// <summary>A <c>postgres</c> sink URI for <paramref name="database"/> and <paramref name="table"/>, with more options after it.</summary>
    public string SinkUri(string database, string table, string options = "") =>
        $"postgres://postgres@127.0.0.1:{Port}/{database}?table={table}{(options.Length > 0 ? "&" + options : "")}";

    /// <summary>
    /// Creates a cluster in a new temporary directory and starts the server on a free loopback port, with
    /// <paramref name="settings"/> (<c>name=value</c>) after the defaults, e.g. <c>max_prepared_transactions=0</c>.
    /// </summary>
    public static async Task<PostgresServer> StartNewAsync(params string[] settings)
    {
        string bin = FindBinDirectory();
        bool asPostgres = Environment.UserName == "root";
        string directory = Directory.CreateTempSubdirectory("compiled-postgres-").FullName;
        var server = new PostgresServer(bin, directory, FreePort(), asPostgres, settings);
        try
        {
            Directory.CreateDirectory(server.DataDirectory);
            if (asPostgres)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", directory]);
            }

            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on its port and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"PostgreSQL on port {Port} is already running");
        }

        _process = Process.Start(StartInfo("postgres",
        [
            "-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + DataDirectory,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_prepared_transactions=10", "-c", "wal_level=logical",
            "-c", "max_replication_slots=4", "-c", "max_wal_senders=4",
            .. _settings.SelectMany(setting => new[] { "-c", setting }),
        ]))!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"PostgreSQL on port {Port} exited at start with code {_process.ExitCode}; see {DataDirectory}");
            }

            using var ready = Process.Start(new ProcessStartInfo(Path.Combine(_bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
            await ready.WaitForExitAsync();
            if (ready.ExitCode == 0)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"PostgreSQL on port {Port} did not accept connections within 60 s");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops the server with a fast shutdown (SIGINT: open sessions are ended) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            // The postmaster runs as another user when started through setpriv, so the signal goes through kill(1).
            await RunAsync("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    /// <summary>Creates a database and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>Stops the server and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by an exiting process: the temporary directory is left for the system to clean.
        }
    }

    private ProcessStartInfo StartInfo(string tool, string[] arguments)
    {
        string path = Path.Combine(_bin, tool);
        ProcessStartInfo info = _asPostgresUser
            ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", path, .. arguments])
            : new ProcessStartInfo(path, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = _directory;
        return info;
    }

    private async Task RunToolAsync(string tool, string[] arguments)
    {
        using var process = Process.Start(StartInfo(tool, arguments))!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed with exit code {process.ExitCode}: {await error}{await output}");
        }
    }

    private static async Task RunAsync(string file, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}");
        }
    }

    private static string FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        string? bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(version => Path.Combine(version, "bin"))
                .Where(path => File.Exists(Path.Combine(path, "postgres")))
                .OrderByDescending(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(path)), out int major) ? major : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres); run scripts/servers/install.sh, or apt-get install -y postgresql");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
