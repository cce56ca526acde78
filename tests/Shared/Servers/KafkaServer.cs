// Shared by the test projects that link it (they reference Confluent.Kafka): a real Apache Kafka 0.9.0.1 broker and
// its ZooKeeper on free loopback ports, with their data in a temporary directory, stopped and deleted at the end.
// scripts/servers/install.sh installs Java and fetches the distribution (scripts/servers/kafka-fetch.sh).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;

namespace Compiled.Tests.Shared.Servers;

/// <summary>
/// A Kafka broker of the test's own, with its own ZooKeeper: <c>127.0.0.1</c>, free ports, data in a temporary
/// directory. Kafka 0.9 predates the request that asks a broker for its API versions, so every client must say
/// <see cref="ClientProperties"/> (<c>api.version.request=false</c>, <c>broker.version.fallback=0.9.0.1</c>); a
/// consumer also needs a session timeout of at most 30 s. The broker can be killed and started again on the same port
/// and data (to take it away in the middle of a run); <see cref="DisposeAsync"/> stops both and deletes the data.
/// </summary>
internal sealed class KafkaServer : IAsyncDisposable
{
    /// <summary>The URI query (without <c>?</c>) a <c>kafka://</c> URI needs for this broker.</summary>
    public const string ClientProperties = "api.version.request=false&broker.version.fallback=0.9.0.1";

    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);

    private readonly string _java;
    private readonly string _classPath;
    private Process? _zooKeeper;
    private Process? _broker;

    private KafkaServer(string java, string classPath, string directory)
    {
        _java = java;
        _classPath = classPath;
        Directory = directory;
    }

    /// <summary>The broker's loopback port.</summary>
    public int Port { get; private set; }

    /// <summary>ZooKeeper's loopback port (the topic tool talks to it).</summary>
    public int ZooKeeperPort { get; private set; }

    /// <summary><c>127.0.0.1:port</c>, librdkafka's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>The data, configuration and logs of both processes.</summary>
    public string Directory { get; }

    /// <summary>Whether the broker process is running.</summary>
    public bool IsRunning => _broker is { HasExited: false };

    private string BrokerLog => Path.Combine(Directory, "broker.log");

    private string ZooKeeperLog => Path.Combine(Directory, "zookeeper.log");

    /// <summary>Starts ZooKeeper, then the broker, and waits until the broker says it started (about 3 s).</summary>
    public static async Task<KafkaServer> StartAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), "compiled-kafka-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var server = new KafkaServer(FindJava(), Path.Combine(FindKafkaHome(), "libs", "*"), directory);
        try
        {
            await server.StartZooKeeperAsync();
            server.Port = FreeLoopbackPort();
            server.WriteBrokerConfiguration();
            await server.StartBrokerAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client configuration for this broker: the bootstrap servers and the 0.9 settings of <see cref="ClientProperties"/>;
    /// a consumer's session timeout is set to 10 s (0.9 refuses the client's default of 45 s).
    /// </summary>
    public T Configure<T>(T config)
        where T : ClientConfig
    {
        ArgumentNullException.ThrowIfNull(config);
        config.BootstrapServers = BootstrapServers;
        config.Set("api.version.request", "false");
        config.Set("broker.version.fallback", "0.9.0.1");
        if (config is ConsumerConfig consumer)
        {
            consumer.SessionTimeoutMs = 10_000;
        }

        return config;
    }

    /// <summary>Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions and waits until each has a leader.</summary>
    public async Task CreateTopicAsync(string topic, int partitions)
    {
        var giveUp = Stopwatch.StartNew();
        while (true)
        {
            string output = await RunJavaToolAsync("kafka.admin.TopicCommand", "--zookeeper", $"127.0.0.1:{ZooKeeperPort}",
                "--create", "--topic", topic, "--partitions", partitions.ToString(CultureInfo.InvariantCulture), "--replication-factor", "1");
            if (output.Contains("Created topic", StringComparison.Ordinal))
            {
                break;
            }

            // The broker's registration in ZooKeeper is ephemeral: it is missing for a moment after a restart, or when a
            // loaded machine let the broker's ZooKeeper session expire and the broker registers again. Ask again then.
            if (!output.Contains("larger than available brokers: 0", StringComparison.Ordinal) || giveUp.Elapsed > ReadyWithin)
            {
                throw new InvalidOperationException($"Kafka's topic tool did not create topic '{topic}':\n{output}\nThe broker's log:\n{LogTail(BrokerLog)}");
            }

            await Task.Delay(250);
        }

        await WaitForLeadersAsync(topic, partitions);
    }

    private async Task WaitForLeadersAsync(string topic, int partitions)
    {
        using IAdminClient admin = new AdminClientBuilder(Configure(new AdminClientConfig())).Build();
        var giveUp = Stopwatch.StartNew();
        while (true)
        {
            TopicMetadata? found;
            try
            {
                Metadata metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(5));
                found = metadata.Topics.Find(t => t.Topic == topic);
            }
            catch (KafkaException e) when (e.Error.Code is ErrorCode.Local_BadMsg or ErrorCode.Local_Transport or ErrorCode.Local_TimedOut)
            {
                // librdkafka cannot read the 0.9 broker's answer for a topic that has no partitions yet: ask again.
                found = null;
            }

            if (found is { Error.IsError: false } && found.Partitions.Count == partitions && found.Partitions.TrueForAll(p => p.Leader >= 0))
            {
                return;
            }

            if (giveUp.Elapsed > ReadyWithin)
            {
                throw new InvalidOperationException($"Topic '{topic}' had no leader for each of its {partitions} partitions within {ReadyWithin.TotalSeconds} s; the broker's log:\n{LogTail(BrokerLog)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the broker (SIGKILL), as a crash or a lost machine would; ZooKeeper, the port and the data are kept.</summary>
    public void KillBroker()
    {
        if (_broker is { HasExited: false } broker)
        {
            broker.Kill(entireProcessTree: false);
            broker.WaitForExit();
        }
    }

    /// <summary>Starts the broker again after <see cref="KillBroker"/>, on the same port and data.</summary>
    public async Task StartBrokerAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The Kafka broker is still running; kill it before starting it again.");
        }

        await StartBrokerAsync();
    }

    /// <summary>Stops the broker and ZooKeeper and deletes their data.</summary>
    public ValueTask DisposeAsync()
    {
        KillBroker();
        if (_zooKeeper is { HasExited: false } zooKeeper)
        {
            zooKeeper.Kill(entireProcessTree: false);
            zooKeeper.WaitForExit();
        }

        _broker?.Dispose();
        _zooKeeper?.Dispose();
        _broker = null;
        _zooKeeper = null;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A process may hold a file for a moment after it died; the OS cleans the temporary directory eventually.
        }

        return default;
    }

    private async Task StartZooKeeperAsync()
    {
        // A free port found by binding port 0 can be taken by someone else before ZooKeeper binds it: try a few.
        for (int attempt = 1; ; attempt++)
        {
            ZooKeeperPort = FreeLoopbackPort();
            File.WriteAllText(Path.Combine(Directory, "zookeeper.properties"), string.Join('\n',
                $"dataDir={Path.Combine(Directory, "zookeeper")}",
                $"clientPort={ZooKeeperPort}",
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                "tickTime=500",
                ""));
            WriteLogConfiguration("zookeeper", ZooKeeperLog);
            _zooKeeper?.Dispose();
            _zooKeeper = StartJava("-Xmx128m", "zookeeper", "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                Path.Combine(Directory, "zookeeper.properties"));
            var giveUp = Stopwatch.StartNew();
            while (!_zooKeeper.HasExited && giveUp.Elapsed < ReadyWithin)
            {
                if (await AnswersAsync(ZooKeeperPort, "ruok", "imok"))
                {
                    return;
                }

                await Task.Delay(50);
            }

            if (!_zooKeeper.HasExited)
            {
                _zooKeeper.Kill();
                throw new InvalidOperationException($"ZooKeeper on port {ZooKeeperPort} did not answer within {ReadyWithin.TotalSeconds} s; its log:\n{LogTail(ZooKeeperLog)}");
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException($"ZooKeeper did not start on a free loopback port in 5 tries; its log:\n{LogTail(ZooKeeperLog)}");
            }
        }
    }

    private void WriteBrokerConfiguration()
    {
        string listener = $"PLAINTEXT://127.0.0.1:{Port}";
        File.WriteAllText(Path.Combine(Directory, "server.properties"), string.Join('\n',
            "broker.id=0",
            $"listeners={listener}",
            $"advertised.listeners={listener}",
            $"log.dirs={Path.Combine(Directory, "kafka-logs")}",
            $"zookeeper.connect=127.0.0.1:{ZooKeeperPort}",
            "auto.create.topics.enable=true",
            "delete.topic.enable=true",
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "group.min.session.timeout.ms=1000",
            "group.max.session.timeout.ms=300000",
            "controlled.shutdown.enable=false",
            // A killed broker's registration lasts until its ZooKeeper session times out, so a restart waits that long
            // (StartBrokerAsync tries again); shorter than 6 s, a loaded machine expires the live broker's session too.
            "zookeeper.session.timeout.ms=6000",
            "log.flush.interval.messages=1",
            ""));
        WriteLogConfiguration("broker", BrokerLog);
    }

    private async Task StartBrokerAsync()
    {
        File.WriteAllText(BrokerLog, "");
        _broker?.Dispose();
        _broker = StartJava("-Xmx384m", "broker", "kafka.Kafka", Path.Combine(Directory, "server.properties"));
        var giveUp = Stopwatch.StartNew();
        while (giveUp.Elapsed < ReadyWithin)
        {
            if (_broker.HasExited && ReadAll(BrokerLog).Contains("A broker is already registered", StringComparison.Ordinal))
            {
                // Started again after a kill before ZooKeeper expired the killed broker's session: wait for that.
                await Task.Delay(500);
                File.WriteAllText(BrokerLog, "");
                _broker.Dispose();
                _broker = StartJava("-Xmx384m", "broker", "kafka.Kafka", Path.Combine(Directory, "server.properties"));
                continue;
            }

            if (_broker.HasExited)
            {
                throw new InvalidOperationException($"The Kafka broker exited with code {_broker.ExitCode} while starting on port {Port}; its log:\n{LogTail(BrokerLog)}");
            }

            if (ReadAll(BrokerLog).Contains("started (kafka.server.KafkaServer)", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        KillBroker();
        throw new InvalidOperationException($"The Kafka broker on port {Port} did not start within {ReadyWithin.TotalSeconds} s; its log:\n{LogTail(BrokerLog)}");
    }

    private void WriteLogConfiguration(string name, string logFile)
    {
        // Kafka's and ZooKeeper's own log4j 1.2: everything at INFO into one file per process, which readiness reads.
        File.WriteAllText(Path.Combine(Directory, name + "-log4j.properties"), string.Join('\n',
            "log4j.rootLogger=INFO, file",
            "log4j.appender.file=org.apache.log4j.FileAppender",
            $"log4j.appender.file.File={logFile}",
            "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
            "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
            "log4j.logger.kafka.request.logger=WARN",
            "log4j.logger.state.change.logger=WARN",
            ""));
    }

    private Process StartJava(string heap, string name, string mainClass, params string[] arguments)
    {
        var start = new ProcessStartInfo(_java)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (string argument in (string[])[heap, "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            $"-Dlog4j.configuration=file:{Path.Combine(Directory, name + "-log4j.properties")}", "-cp", _classPath, mainClass, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"{_java} did not start.");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<string> RunJavaToolAsync(string mainClass, params string[] arguments)
    {
        var start = new ProcessStartInfo(_java)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (string argument in (string[])["-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            $"-Dlog4j.configuration=file:{Path.Combine(Directory, "zookeeper-log4j.properties")}", "-cp", _classPath, mainClass, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{_java} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ReadyWithin);
        await process.WaitForExitAsync(timeout.Token);
        return await output + await error;
    }

    private static async Task<bool> AnswersAsync(int port, string command, string answer)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            byte[] buffer = new byte[16];
            int read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read) == answer;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string ReadAll(string file)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string LogTail(string file)
    {
        string[] lines = ReadAll(file).Split('\n');
        return lines.Length <= 1 ? $"(no log in {file})" : string.Join('\n', lines.TakeLast(30));
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindJava()
    {
        string? javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        string[] directories = [.. javaHome is { Length: > 0 } ? [Path.Combine(javaHome, "bin")] : Array.Empty<string>(),
            .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/bin"];
        foreach (string directory in directories)
        {
            string candidate = Path.Combine(directory, "java");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "The Kafka tests start a real Kafka broker, which runs on Java, and no java is on PATH; run scripts/servers/install.sh (Debian: apt-get install -y default-jre-headless) and run the tests again.");
    }

    private static string FindKafkaHome()
    {
        string? home = Environment.GetEnvironmentVariable("COMPILED_KAFKA_HOME");
        if (home is not { Length: > 0 })
        {
            string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            cache = cache is { Length: > 0 } ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            home = Path.Combine(cache, "compiled", "kafka-0.9.0.1");
        }

        if (!File.Exists(Path.Combine(home, "libs", "kafka_2.11-0.9.0.1.jar")))
        {
            throw new InvalidOperationException(
                $"The Kafka tests start a real Kafka 0.9.0.1 broker, and {home} does not hold it; run scripts/servers/kafka-fetch.sh (or scripts/servers/install.sh) and run the tests again.");
        }

        return home;
    }
}
