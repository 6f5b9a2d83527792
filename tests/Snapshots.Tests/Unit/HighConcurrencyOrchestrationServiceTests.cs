using DurableTask.Core;
using Moq;
using Snapshots.Local.Durable;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Unit;

public sealed class HighConcurrencyOrchestrationServiceTests
{
    private readonly Mock<IOrchestrationService> service = new();
    private readonly Mock<IOrchestrationServiceClient> client = new();

    [Fact]
    public void Reports_a_concurrency_high_enough_that_the_sidecar_never_throttles_a_fan_out()
    {
        service.SetupGet(s => s.MaxConcurrentTaskActivityWorkItems).Returns(2);
        var wrapped = new HighConcurrencyOrchestrationService(service.Object, client.Object, TimeSpan.FromSeconds(1));

        Assert.Equal(1000, wrapped.MaxConcurrentTaskActivityWorkItems);
        Assert.Equal(1000, wrapped.MaxConcurrentTaskOrchestrationWorkItems);
    }

    [Fact]
    public async Task Renews_an_activity_lock_until_the_activity_completes()
    {
        var workItem = new TaskActivityWorkItem { Id = "w1" };
        var renewals = 0;
        service.Setup(s => s.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(workItem);
        service.Setup(s => s.RenewTaskActivityWorkItemLockAsync(workItem)).Callback(() => Interlocked.Increment(ref renewals)).ReturnsAsync(workItem);
        var wrapped = new HighConcurrencyOrchestrationService(service.Object, client.Object, TimeSpan.FromMilliseconds(20));

        await wrapped.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        await Eventually.TrueAsync(() => Volatile.Read(ref renewals) >= 2, TimeSpan.FromSeconds(10));
        Assert.Equal(1, wrapped.ActiveLockRenewals);
        await wrapped.CompleteTaskActivityWorkItemAsync(workItem, new TaskMessage());

        Assert.Equal(0, wrapped.ActiveLockRenewals);
        service.Verify(s => s.CompleteTaskActivityWorkItemAsync(workItem, It.IsAny<TaskMessage>()), Times.Once);
    }

    [Fact]
    public async Task Waiting_for_an_orchestration_returns_as_soon_as_it_finishes()
    {
        var calls = 0;
        client.Setup(c => c.GetOrchestrationStateAsync("i1", "e1")).ReturnsAsync(() => new OrchestrationState
        {
            OrchestrationStatus = Interlocked.Increment(ref calls) < 3 ? OrchestrationStatus.Running : OrchestrationStatus.Completed,
        });
        var wrapped = new HighConcurrencyOrchestrationService(service.Object, client.Object, TimeSpan.FromSeconds(1));

        var state = await wrapped.WaitForOrchestrationAsync("i1", "e1", TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(OrchestrationStatus.Completed, state.OrchestrationStatus);
        Assert.Equal(3, calls);
    }
}
