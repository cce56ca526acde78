using System.Text;
using Samples.LogMonitor;

namespace Compiled.EndToEnd.Tests;

/// <summary>
/// The LogMonitor's id rule (<see cref="EndpointPath"/>): numbers, UUIDs, long hexadecimal strings with a digit and
/// long tokens mixing letters and digits become <c>{id}</c>, with an extension kept; words, versions, slugs and short
/// or digit-free hexadecimal words stay; and the rewriting allocates nothing once its buffer is there.
/// </summary>
public class LogMonitorEndpointPathTests
{
    [Theory]
    [InlineData("GET /users/123", "GET /users/{id}")]
    [InlineData("GET /users/0/orders/42", "GET /users/{id}/orders/{id}")]
    [InlineData("GET /1", "GET /{id}")]
    [InlineData("GET /archive/2024/05/report", "GET /archive/{id}/{id}/report")]
    [InlineData("DELETE /orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "DELETE /orders/{id}")]
    [InlineData("GET /orders/3F2504E0-4F89-11D3-9A0C-0305E82C3301/items", "GET /orders/{id}/items")]
    [InlineData("GET /orders/9f2c01ab", "GET /orders/{id}")]
    [InlineData("GET /objects/5f1e0c8a9b3d2e4f6a7b8c9d", "GET /objects/{id}")]
    [InlineData("GET /commits/da39a3ee5e6b4b0d3255bfef95601890afd80709", "GET /commits/{id}")]
    [InlineData("GET /share/Xk9fQ2LmPz7RtB4w", "GET /share/{id}")]
    [InlineData("GET /img/4711.png", "GET /img/{id}.png")]
    [InlineData("GET /videos/9f2c01ab.mp4", "GET /videos/{id}.mp4")]
    [InlineData("GET /users/123/", "GET /users/{id}/")]
    [InlineData("GET /users/{id}", "GET /users/{id}")]
    public void EndpointPath_IdSegments_BecomeThePlaceholder(string endpoint, string expected)
    {
        Assert.Equal(expected, Normalize(endpoint));
    }

    [Theory]
    [InlineData("GET /api/v2/status")]
    [InlineData("GET /")]
    [InlineData("GET /healthz")]
    [InlineData("POST /oauth2/callback")]
    [InlineData("GET /releases/1.2.3")]
    [InlineData("GET /static/app.3f2a9c1b.js")]
    [InlineData("GET /blog/top-10-tips-for-2024")]
    [InlineData("GET /hex/deadbeef")]
    [InlineData("GET /hex/abc123")]
    [InlineData("GET /words/internationalization")]
    [InlineData("GET /short/abc123def456xyz")]
    [InlineData("GET /users/-1")]
    [InlineData("GET /users/12a")]
    [InlineData("GET /orders/3f2504e0-4f89-11d3-9a0c-0305e82c330")]
    [InlineData("GET //double//slash")]
    [InlineData("GET /img/.png")]
    [InlineData("GET /img/123.")]
    [InlineData("GET /img/123.toolongext")]
    public void EndpointPath_WordsAndVersions_StayAsTheyAre(string endpoint)
    {
        Assert.Equal(endpoint, Normalize(endpoint));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("12345678901234567890", true)]
    [InlineData("1234567a", true)]
    [InlineData("123456a", false)]
    [InlineData("abcdefab", false)]
    [InlineData("ABCDEF12", true)]
    [InlineData("abcdefghijklmno1", true)]
    [InlineData("abcdefghijklmn1", false)]
    [InlineData("abcdefghijklmnop", false)]
    [InlineData("abcdefghijklmno_1", false)]
    [InlineData("00000000-0000-0000-0000-000000000000", true)]
    [InlineData("00000000-0000-0000-0000-00000000000g", false)]
    [InlineData("0000000-00000-0000-0000-000000000000", false)]
    [InlineData("", false)]
    [InlineData("42.json", true)]
    [InlineData("42.tar", true)]
    [InlineData("v42.json", false)]
    [InlineData("42.abcdefg8", true)]
    [InlineData("42.abcdefgh9", false)]
    [InlineData("42.7z", false)]
    public void EndpointPath_IsId_FollowsTheDocumentedThresholds(string segment, bool expected)
    {
        Assert.Equal(expected, EndpointPath.IsId(Encoding.ASCII.GetBytes(segment)));
    }

    [Fact]
    public void EndpointPath_WithoutIds_ReturnsTheEndpointItself()
    {
        // No id: the very bytes of the line come back, no copy.
        byte[] endpoint = "GET /api/v2/status"u8.ToArray();
        ReadOnlySpan<byte> result = EndpointPath.Normalize(endpoint);
        Assert.True(result.Overlaps(endpoint.AsSpan()) && result.Length == endpoint.Length);
    }

    [Fact]
    public void EndpointPath_Normalize_AllocatesNothingOnceItsBufferIsThere()
    {
        byte[][] endpoints = [.. Enumerable.Range(0, 1000).Select(i => Encoding.ASCII.GetBytes($"GET /users/{i * 7919}/orders/{i:x8}a/items/img{i}.png"))];
        long total = 0;
        foreach (byte[] endpoint in endpoints)
        {
            total += EndpointPath.Normalize(endpoint).Length;
        }

        // Measured up to three times: a pass during which the runtime compiles the method again (tiering, in a busy test
        // process) may count bytes of its own; a per-call allocation shows in every pass.
        long allocated = long.MaxValue;
        for (int pass = 0; pass < 3 && allocated != 0; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (byte[] endpoint in endpoints)
            {
                total += EndpointPath.Normalize(endpoint).Length;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(allocated == 0, $"Normalizing 1000 endpoints with ids allocated {allocated} bytes in each of three passes.");
        Assert.True(total > 0);
    }

    [Fact]
    public void EndpointPath_Normalize_RefusesADestinationTooShortToHoldTheResult()
    {
        var error = Assert.Throws<ArgumentException>(() => EndpointPath.Normalize("GET /1"u8, new byte[17]));
        Assert.Contains("three times the endpoint's 6 bytes", error.Message, StringComparison.Ordinal);
    }

    private static string Normalize(string endpoint) => Encoding.ASCII.GetString(EndpointPath.Normalize(Encoding.ASCII.GetBytes(endpoint)));
}
