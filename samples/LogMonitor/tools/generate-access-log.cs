// Writes the sample's bundled input, input/access.log: ten seconds of a web shop's Apache access log in the
// Combined Log Format followed by %D, the response time in microseconds:
//
//   LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D" combined_time
//
// with a few lines the monitor must count as malformed, and the first 20 lines without the response time (written
// before the server was reloaded with the format above), which it counts as untimed. Deterministic: the same bytes
// on every run.
//
//   dotnet run --file samples/LogMonitor/tools/generate-access-log.cs -- samples/LogMonitor/input/access.log
using System.Globalization;
using System.Text;

string path = args.Length > 0 ? args[0] : "access.log";
var random = new Random(20251125);
var start = new DateTimeOffset(2025, 11, 25, 10, 0, 0, TimeSpan.Zero);

// Endpoint, requests per second, share of 5xx, median response time in ms and the spread of its log-normal
// distribution, and how its paths and statuses look.
Endpoint[] endpoints =
[
    new("GET", "/", 30, 0.001, 9, 0.35),
    new("GET", "/api/products", 90, 0.004, 24, 0.45, Query: i => $"?page={1 + (i % 7)}&sort=price"),
    new("GET", "/api/products/search", 45, 0.012, 65, 0.6, Query: i => $"?q={Endpoint.Words[i % Endpoint.Words.Length]}"),
    new("GET", "/api/cart", 40, 0.002, 14, 0.4),
    new("POST", "/api/cart/items", 18, 0.01, 32, 0.5),
    new("POST", "/api/checkout", 4, 0.04, 320, 0.7),
    new("POST", "/api/login", 6, 0.02, 110, 0.4, Unauthorized: 0.08),
    new("GET", "/api/orders", 12, 0.005, 45, 0.5),
    new("GET", "/static/app.js", 60, 0, 1.8, 0.5, NotModified: 0.4),
    new("GET", "/static/app.css", 55, 0, 1.5, 0.5, NotModified: 0.4),
    new("GET", "/healthz", 10, 0, 0.25, 0.3),
];

string[] clients = [.. Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"203.0.113.{10 + (i * 5)}" : $"198.51.100.{7 + (i * 3)}")];
string[] agents =
[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
];

var log = new StringBuilder();
int line = 0;
for (int second = 0; second < 10; second++)
{
    var requests = new List<(Endpoint Endpoint, int Index)>();
    foreach (Endpoint endpoint in endpoints)
    {
        // About the endpoint's rate: a second's count varies by up to a fifth either way.
        int count = (int)Math.Round(endpoint.PerSecond * (0.8 + (0.4 * random.NextDouble())));
        for (int i = 0; i < count; i++)
        {
            requests.Add((endpoint, random.Next(1000)));
        }
    }

    // Interleaved as a busy server writes them.
    requests = [.. requests.OrderBy(_ => random.Next())];
    string time = start.AddSeconds(second).ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
    foreach ((Endpoint endpoint, int index) in requests)
    {
        string client = clients[random.Next(clients.Length)];
        double roll = random.NextDouble();
        int status = roll < endpoint.ErrorShare ? (random.Next(4) == 0 ? 503 : 500)
            : roll < endpoint.ErrorShare + endpoint.Unauthorized ? 401
            : roll < endpoint.ErrorShare + endpoint.Unauthorized + endpoint.NotModified ? 304
            : random.Next(200) == 0 ? 404
            : endpoint.Method == "POST" && endpoint.Path == "/api/cart/items" ? 201 : 200;
        // Log-normal response time around the median; failures are often slow timeouts.
        double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double milliseconds = endpoint.MedianMs * Math.Exp(endpoint.Sigma * gaussian);
        if (status >= 500 && random.Next(3) == 0)
        {
            milliseconds = 5000 + random.Next(25_000);
        }

        long microseconds = Math.Max(1, (long)Math.Round(milliseconds * 1000));
        long bytes = status == 304 ? 0 : endpoint.Path.StartsWith("/static/", StringComparison.Ordinal) ? 180_000 + random.Next(40_000) : 200 + random.Next(12_000);
        string referer = endpoint.Path == "/" || random.Next(4) == 0 ? "-" : "https://shop.example.com/";
        string agent = endpoint.Path == "/healthz" ? "kube-probe/1.31" : agents[random.Next(agents.Length)];
        string user = endpoint.Path.StartsWith("/api/orders", StringComparison.Ordinal) ? $"user{index % 50}" : "-";
        log.Append(CultureInfo.InvariantCulture, $"{client} - {user} [{time}] \"{endpoint.Method} {endpoint.Path}{endpoint.Query?.Invoke(index)} HTTP/1.1\" {status} {(bytes == 0 ? "-" : bytes)} \"{referer}\" \"{agent}\"{(line < 20 ? "" : $" {microseconds}")}\n");
        line++;

        // What a real log also holds now and then: a TLS handshake sent to the plain-HTTP port, and a line cut
        // short by a crash mid-write.
        if (line == 1234)
        {
            log.Append(CultureInfo.InvariantCulture, $"192.0.2.55 - - [{time}] \"\\x16\\x03\\x01\\x00\\xF4\\x01\\x00\\x00\\xF0\\x03\\x03\" 400 226 \"-\" \"-\" 83\n");
        }
        else if (line == 2345)
        {
            log.Append(CultureInfo.InvariantCulture, $"{client} - - [{time}] \"GET /api/products?page=3&so\n");
        }
        else if (line == 3456)
        {
            log.Append(CultureInfo.InvariantCulture, $"192.0.2.55 - - [{time}] \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03\" 400 226 \"-\" \"-\" 71\n");
        }
    }
}

File.WriteAllText(path, log.ToString(), new UTF8Encoding(false));
Console.WriteLine($"{path}: {line} requests (20 without a response time) and 3 malformed lines, {log.Length:N0} bytes");

internal sealed record Endpoint(string Method, string Path, double PerSecond, double ErrorShare, double MedianMs, double Sigma,
    Func<int, string>? Query = null, double Unauthorized = 0, double NotModified = 0)
{
    public static readonly string[] Words = ["shoes", "red+dress", "socks", "jacket", "t-shirt", "sneakers", "hat", "scarf"];
}
