using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Snapshots.Local.Emulators;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Reliability;

/// <summary>
/// The emulators go away under a running service (here: stopped for good, so no supervisor brings them back):
/// health answers 503 naming what does not answer, and data calls answer 503 problems with Retry-After, never a 500.
/// </summary>
public sealed class OutageTests : IAsyncLifetime
{
    private readonly string data = Path.Combine(Path.GetTempPath(), "snapshots-tests", "outage-" + Guid.NewGuid().ToString("N"));
    private EmulatorSet emulators = null!;
    private LocalRuntimeProcess service = null!;

    public async Task InitializeAsync()
    {
        emulators = await EmulatorSet.StartAsync(new EmulatorOptions { DataDirectory = data }, NullLogger.Instance);
        service = await LocalRuntimeProcess.StartAsync(emulators.Endpoints);
    }

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Health_and_data_calls_answer_503_with_retry_after_while_the_stores_are_down()
    {
        using var http = service.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/projects")).StatusCode);

        await emulators.DisposeAsync();

        var health = await http.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var down = (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dependencies").EnumerateArray()
            .Where(d => !d.GetProperty("reachable").GetBoolean()).Select(d => d.GetProperty("name").GetString()).ToList();
        Assert.NotEmpty(down);

        foreach (var call in new Func<Task<HttpResponseMessage>>[]
        {
            () => http.GetAsync("/api/projects"),
            () => http.PostAsJsonAsync("/api/projects", new { name = "during the outage" }),
        })
        {
            using var answer = await call();
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)answer.StatusCode}: {body}");
            Assert.Equal(TimeSpan.FromSeconds(5), answer.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("   at ", body);
        }
    }
}
