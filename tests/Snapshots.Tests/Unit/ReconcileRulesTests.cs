using Snapshots.Operations;

namespace Snapshots.Tests.Unit;

public sealed class ReconcileRulesTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(30, true, false, OrchestrationState.Missing, ReconcileAction.Wait)]
    [InlineData(90, false, false, OrchestrationState.Missing, ReconcileAction.Forget)]
    [InlineData(90, true, true, OrchestrationState.Ended, ReconcileAction.Forget)]
    [InlineData(90, true, false, OrchestrationState.Missing, ReconcileAction.Start)]
    [InlineData(90, true, false, OrchestrationState.Ended, ReconcileAction.Settle)]
    [InlineData(90, true, false, OrchestrationState.Running, ReconcileAction.Leave)]
    public void A_pending_operation_is_started_settled_forgotten_or_left(int ageSeconds, bool recordExists, bool settled, OrchestrationState orchestration, ReconcileAction expected) =>
        Assert.Equal(expected, ReconcileRules.Decide(Created, Created.AddSeconds(ageSeconds), ReconcileRules.Grace, recordExists, settled, orchestration));
}
