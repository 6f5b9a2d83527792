using System.Net;
using System.Net.Http.Json;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Integration;

[Collection(ServiceTestGroup.Name)]
public sealed class HealthTests(ServiceFixture service)
{
    [Fact]
    public async Task Health_reports_every_dependency_reachable()
    {
        var response = await service.Http.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<HealthView>();
        Assert.Equal("healthy", report!.Status);
        Assert.Equal(["cosmos", "dataStorage", "snapshotStorage"], report.Dependencies.Select(d => d.Name).Order());
        Assert.All(report.Dependencies, d => Assert.True(d.Reachable, $"{d.Name}: {d.Error}"));
    }

    private sealed record HealthView(string Status, IReadOnlyList<DependencyView> Dependencies);

    private sealed record DependencyView(string Name, bool Reachable, string? Error);
}
