using Microsoft.DurableTask;
using Moq;
using Snapshots.Functions.Diagnostics;

namespace Snapshots.Tests.Unit;

public sealed class PingOrchestratorTests
{
    [Fact]
    public async Task Calls_one_activity_per_requested_ping_and_counts_the_replies()
    {
        var context = new Mock<TaskOrchestrationContext>();
        context.Setup(c => c.GetInput<PingRequest>()).Returns(new PingRequest(3));
        context.SetupGet(c => c.CurrentUtcDateTime).Returns(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        context.Setup(c => c.CallActivityAsync<string>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName _, object? input, TaskOptions? _) => Task.FromResult($"pong {input}"));

        var result = await PingFunctions.PingOrchestrator(context.Object);

        Assert.Equal(3, result.Replies);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), result.CompletedAt);
        foreach (var sequence in new[] { 0, 1, 2 })
        {
            context.Verify(c => c.CallActivityAsync<string>(new TaskName(nameof(PingFunctions.Pong)), sequence, null), Times.Once);
        }
    }
}
