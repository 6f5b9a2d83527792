using System.Net;
using System.Net.Http.Json;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.EndToEnd;

/// <summary>HTTP -> orchestration -> activities -> status, through the local runtime and its durable backend on Azurite.</summary>
[Collection(ServiceTestGroup.Name)]
public sealed class PingOrchestrationTests(ServiceFixture service)
{
    [Fact]
    public async Task Ping_fans_out_to_every_activity_and_reports_completion()
    {
        var response = await service.Http.PostAsync("/api/diagnostics/ping?activities=200", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<AcceptedView>();
        Assert.NotNull(accepted);
        Assert.Equal(response.Headers.Location, new Uri(accepted.StatusUri));

        var operation = await service.WaitForOperationAsync(accepted.StatusUri);
        Assert.Equal("Completed", operation.Status);
        Assert.Equal("PingOrchestrator", operation.Name);
        Assert.Equal(200, operation.Output!.Value.GetProperty("replies").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("many")]
    public async Task Ping_rejects_an_activity_count_out_of_range_with_a_problem(string activities)
    {
        var response = await service.Http.PostAsync($"/api/diagnostics/ping?activities={activities}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemView>();
        Assert.Contains("'activities'", problem!.Detail);
    }

    [Fact]
    public async Task An_unknown_operation_is_a_404_problem()
    {
        var response = await service.Http.GetAsync("/api/operations/does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private sealed record AcceptedView(string Id, string StatusUri);
}

public sealed record ProblemView(string Title, int Status, string Detail);
