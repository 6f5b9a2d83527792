using System.Net;
using Snapshots.Webhooks;

namespace Snapshots.Tests.Unit;

public sealed class WebhookRulesTests
{
    [Theory]
    [InlineData("https://hooks.example.com/snapshots", false, null)]
    [InlineData("https://203.0.114.7/hook", false, null)]
    [InlineData("http://hooks.example.com/snapshots", false, "plain http")]
    [InlineData("http://127.0.0.1:5000/hook", false, "loopback")]
    [InlineData("http://localhost:5000/hook", false, "loopback")]
    [InlineData("http://127.0.0.1:5000/hook", true, null)]
    [InlineData("http://[::1]:5000/hook", true, null)]
    [InlineData("https://10.0.0.5/hook", true, "not a public address")]
    [InlineData("https://169.254.169.254/metadata", false, "not a public address")]
    [InlineData("https://192.168.1.1/hook", false, "not a public address")]
    [InlineData("https://172.20.0.1/hook", false, "not a public address")]
    [InlineData("https://100.64.0.1/hook", false, "not a public address")]
    [InlineData("https://[fd00::1]/hook", false, "not a public address")]
    [InlineData("https://[fe80::1]/hook", false, "not a public address")]
    [InlineData("https://[::ffff:10.0.0.1]/hook", false, "not a public address")]
    [InlineData("https://user:secret@hooks.example.com/", false, "user name or password")]
    [InlineData("ftp://hooks.example.com/", false, "not an absolute https URL")]
    [InlineData("/relative/hook", false, "not an absolute https URL")]
    [InlineData("", false, "'url' is required")]
    public void A_target_is_an_https_url_on_a_public_address_or_loopback_where_allowed(string url, bool allowLoopback, string? problem)
    {
        var found = WebhookTargets.Problem(url, allowLoopback);

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found);
        }
    }

    [Theory]
    [InlineData("8.8.8.8", false, true)]
    [InlineData("2606:4700:4700::1111", false, true)]
    [InlineData("127.0.0.1", false, false)]
    [InlineData("127.0.0.1", true, true)]
    [InlineData("10.0.0.1", true, false)]
    [InlineData("0.0.0.0", false, false)]
    [InlineData("224.0.0.1", false, false)]
    [InlineData("::ffff:192.168.0.1", false, false)]
    [InlineData("64:ff9b::a00:1", false, false)]
    [InlineData("::7f00:1", false, false)]
    [InlineData("2002:a00:1::1", false, false)]
    [InlineData("100::1", false, false)]
    [InlineData("168.63.129.16", false, false)]
    public void A_connection_goes_only_to_an_allowed_address(string address, bool allowLoopback, bool allowed) =>
        Assert.Equal(allowed, WebhookTargets.IsAllowed(IPAddress.Parse(address), allowLoopback));

    [Fact]
    public void The_signature_is_the_hmac_sha256_of_the_body_in_hex()
    {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        var signature = WebhookSignature.Sign("Jefe", "what do ya want for nothing?"u8);

        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", signature);
        Assert.True(WebhookSignature.Matches("Jefe", "what do ya want for nothing?"u8, signature));
        Assert.False(WebhookSignature.Matches("Jefe", "what do ya want for nothing!"u8, signature));
        Assert.False(WebhookSignature.Matches("jefe", "what do ya want for nothing?"u8, signature));
        Assert.False(WebhookSignature.Matches("Jefe", "what do ya want for nothing?"u8, null));
    }

    [Fact]
    public void New_secrets_are_long_random_and_url_safe()
    {
        var secrets = Enumerable.Range(0, 50).Select(_ => WebhookSignature.NewSecret()).ToList();

        Assert.Equal(50, secrets.Distinct().Count());
        Assert.All(secrets, s => Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", s));
    }

    [Fact]
    public void Retries_wait_twice_as_long_each_time_and_never_more_than_an_hour()
    {
        var delivery = new WebhookDelivery("d", "w", "p", WebhookEvents.SnapshotCreated, "{}", 8, TimeSpan.FromSeconds(30));

        Assert.Equal([30, 60, 120, 240], Enumerable.Range(1, 4).Select(a => delivery.DelayAfter(a).TotalSeconds));
        Assert.Equal(TimeSpan.FromHours(1), delivery.DelayAfter(8));
        Assert.Equal(TimeSpan.FromHours(1), delivery.DelayAfter(60));
    }
}
