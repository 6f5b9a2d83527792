using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Moq.Protected;
using Snapshots.Functions.Orchestration;
using Snapshots.Functions.Restores;
using Snapshots.Restore;

namespace Snapshots.Tests.Unit;

public sealed class RestoreOrchestratorTests
{
    private static readonly RestoreRequest Request = new("r1", "snp-x", "p1", Merge: true, NewProject: false) { RecordsLedger = true };
    private readonly Mock<TaskOrchestrationContext> context = new() { CallBase = true };
    private readonly TaskCompletionSource<string> cancel = new();
    private readonly List<string> calls = [];
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public RestoreOrchestratorTests()
    {
        context.Setup(c => c.GetInput<RestoreRequest>()).Returns(Request);
        context.Protected().SetupGet<ILoggerFactory>("LoggerFactory").Returns(NullLoggerFactory.Instance);
        context.SetupGet(c => c.CurrentUtcDateTime).Returns(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        context.Setup(c => c.WaitForExternalEvent<string>(RestoreEvents.Cancel, It.IsAny<CancellationToken>())).Returns(cancel.Task);
        Returns<object>(null!);
        Returns(new VerifiedArchive(250, 10, 100, 3, 260, 5000), nameof(RestoreOrchestrations.VerifyRestoreArchive));
        Returns(new SchemaResult(new KindReport(1), new KindReport(1), new KindReport(2)), nameof(RestoreOrchestrations.RestoreSchema));
        Returns(new RestorePlan(3, 250), nameof(RestoreOrchestrations.PlanRestoreDocuments));
        Returns(new RestoredBatch(100, 4, 40, 100, 2000), nameof(RestoreOrchestrations.RestoreDocumentBatch));
        Returns(new AisResult(3, 3, 1000, []), nameof(RestoreOrchestrations.RestoreAis));
        Returns(7L, nameof(RestoreOrchestrations.PublishRestore));
        Returns<long?>(null, nameof(RestoreOrchestrations.SettlePublishedRestore));
    }

    [Fact]
    public async Task A_restore_started_before_reverts_existed_replays_without_recording_a_ledger()
    {
        context.Setup(c => c.GetInput<RestoreRequest>()).Returns(Request with { RecordsLedger = false });

        await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.Equal([nameof(RestoreOrchestrations.PublishRestore), nameof(RestoreOrchestrations.FoldInRestore), nameof(RestoreOrchestrations.DeleteRestoreWorkingBlobs)],
            calls.SkipWhile(c => c != nameof(RestoreOrchestrations.PublishRestore)));
    }

    [Fact]
    public async Task Publishes_once_after_every_step_then_folds_in_and_cleans_up()
    {
        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.False(outcome.Cancelled);
        Assert.Equal(
            [nameof(RestoreOrchestrations.VerifyRestoreArchive), nameof(RestoreOrchestrations.RestoreSchema), nameof(RestoreOrchestrations.PlanRestoreDocuments),
             nameof(RestoreOrchestrations.RestoreDocumentBatch), nameof(RestoreOrchestrations.RestoreDocumentBatch), nameof(RestoreOrchestrations.RestoreDocumentBatch),
             nameof(RestoreOrchestrations.RestoreAis), nameof(RestoreOrchestrations.PublishRestore),
             nameof(RestoreOrchestrations.FoldInRestore), nameof(RestoreOrchestrations.RecordRestoreLedger), nameof(RestoreOrchestrations.DeleteRestoreWorkingBlobs)],
            calls);
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(RestoreOrchestrations.FoldInRestore)),
            It.Is<object?>(o => Equals(o, new PublishedRestoreRef(Request, 7, 3))), It.IsAny<TaskOptions?>()));
    }

    [Fact]
    public async Task A_restore_that_notifies_raises_restored_right_after_its_publish_and_failed_after_its_discard()
    {
        context.Setup(c => c.GetInput<RestoreRequest>()).Returns(Request with { Notifies = true });
        context.Setup(c => c.NewGuid()).Returns(Guid.Parse("00000000-0000-0000-0000-000000000001"));

        await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);
        Fails(nameof(RestoreOrchestrations.RestoreSchema), "no schema");
        calls.Clear();
        await Assert.ThrowsAsync<RestoreFailedException>(() => RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object));

        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(Functions.Webhooks.WebhookDeliveryFunctions.RaiseWebhookEvent)),
            It.Is<object?>(o => Equals(o, new Webhooks.WebhookEvent("00000000000000000000000000000001", Webhooks.WebhookEvents.RestoreRestored, "p1", "r1", Now))),
            It.IsAny<TaskOptions?>()));
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(Functions.Webhooks.WebhookDeliveryFunctions.RaiseWebhookEvent)),
            It.Is<object?>(o => Equals(o, new Webhooks.WebhookEvent("00000000000000000000000000000001", Webhooks.WebhookEvents.RestoreFailed, "p1", "r1", Now))),
            It.IsAny<TaskOptions?>()));
        Assert.Equal([nameof(RestoreOrchestrations.FailRestore), nameof(RestoreOrchestrations.DiscardRestore), nameof(Functions.Webhooks.WebhookDeliveryFunctions.RaiseWebhookEvent)],
            calls.SkipWhile(c => c != nameof(RestoreOrchestrations.FailRestore)));
    }

    [Fact]
    public async Task A_notification_that_cannot_be_raised_leaves_the_restore_restored()
    {
        context.Setup(c => c.GetInput<RestoreRequest>()).Returns(Request with { Notifies = true });
        context.Setup(c => c.NewGuid()).Returns(Guid.NewGuid());
        FailsAs<object>(nameof(Functions.Webhooks.WebhookDeliveryFunctions.RaiseWebhookEvent),
            new TaskFailedException("RaiseWebhookEvent", 1, new TaskFailureDetails("System.InvalidOperationException", "Cosmos is away", null, null, null)));

        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.False(outcome.Cancelled);
        Assert.Equal(
            [nameof(RestoreOrchestrations.PublishRestore), nameof(Functions.Webhooks.WebhookDeliveryFunctions.RaiseWebhookEvent),
             nameof(RestoreOrchestrations.FoldInRestore), nameof(RestoreOrchestrations.RecordRestoreLedger), nameof(RestoreOrchestrations.DeleteRestoreWorkingBlobs)],
            calls.SkipWhile(c => c != nameof(RestoreOrchestrations.PublishRestore)));
    }

    [Theory]
    [InlineData(nameof(RestoreOrchestrations.VerifyRestoreArchive))]
    [InlineData(nameof(RestoreOrchestrations.RestoreSchema))]
    [InlineData(nameof(RestoreOrchestrations.PlanRestoreDocuments))]
    [InlineData(nameof(RestoreOrchestrations.RestoreDocumentBatch))]
    [InlineData(nameof(RestoreOrchestrations.RestoreAis))]
    [InlineData(nameof(RestoreOrchestrations.PublishRestore))]
    public async Task A_failed_step_records_the_whole_reason_discards_what_was_staged_and_never_publishes(string step)
    {
        Fails(step, "label_sets.ndjson line 3: label set '7' points to category '9'\n   at Somewhere()");

        var error = await Assert.ThrowsAsync<RestoreFailedException>(() => RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object));

        Assert.Equal("label_sets.ndjson line 3: label set '7' points to category '9'", error.Message);
        Assert.Equal([nameof(RestoreOrchestrations.FailRestore), nameof(RestoreOrchestrations.DiscardRestore)], calls.SkipWhile(c => c != nameof(RestoreOrchestrations.FailRestore)));
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(RestoreOrchestrations.FailRestore)),
            It.Is<object?>(o => IsFailure(o, error.Message)), It.IsAny<TaskOptions?>()));
        Assert.DoesNotContain(nameof(RestoreOrchestrations.FoldInRestore), calls);
    }

    [Theory]
    [InlineData(nameof(RestoreOrchestrations.VerifyRestoreArchive))]
    [InlineData(nameof(RestoreOrchestrations.RestoreSchema))]
    [InlineData(nameof(RestoreOrchestrations.PlanRestoreDocuments))]
    [InlineData(nameof(RestoreOrchestrations.RestoreAis))]
    public async Task A_cancel_during_a_step_stops_before_the_next_records_it_and_discards(string step)
    {
        OnCall(step, () => cancel.TrySetResult("now"));

        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.True(outcome.Cancelled);
        Assert.Equal([step, nameof(RestoreOrchestrations.RecordRestoreCancelled), nameof(RestoreOrchestrations.DiscardRestore)], calls.SkipWhile(c => c != step));
        Assert.DoesNotContain(nameof(RestoreOrchestrations.PublishRestore), calls);
    }

    [Fact]
    public async Task An_uploaded_archive_that_cannot_be_admitted_fails_the_restore_before_anything_is_staged_and_discards()
    {
        context.Setup(c => c.GetInput<RestoreRequest>()).Returns(Request with { Upload = new UploadedArchive("import-1", Share: false) });
        Fails(nameof(RestoreOrchestrations.AdmitUploadedArchive), "The archive is not a zip file.", typeof(Snapshots.Archive.ArchiveValidationException).FullName!);

        var error = await Assert.ThrowsAsync<RestoreFailedException>(() => RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object));

        Assert.Equal("The archive is not a zip file.", error.Message);
        Assert.Equal([nameof(RestoreOrchestrations.AdmitUploadedArchive), nameof(RestoreOrchestrations.FailRestore), nameof(RestoreOrchestrations.DiscardRestore)], calls);
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(RestoreOrchestrations.DiscardRestore)),
            It.Is<object?>(o => IsInvalidArchiveDiscard(o)), It.IsAny<TaskOptions?>()));
    }

    [Fact]
    public async Task A_cancel_while_an_upload_is_admitted_stops_before_verification()
    {
        context.Setup(c => c.GetInput<RestoreRequest>()).Returns(Request with { Upload = new UploadedArchive("import-1", Share: false) });
        OnCall(nameof(RestoreOrchestrations.AdmitUploadedArchive), () => cancel.TrySetResult("now"));

        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.True(outcome.Cancelled);
        Assert.Equal([nameof(RestoreOrchestrations.AdmitUploadedArchive), nameof(RestoreOrchestrations.RecordRestoreCancelled), nameof(RestoreOrchestrations.DiscardRestore)], calls);
    }

    [Fact]
    public async Task A_publish_whose_record_write_failed_after_its_project_write_landed_is_published_not_failed()
    {
        Fails(nameof(RestoreOrchestrations.PublishRestore), "Cosmos unavailable");
        Returns<long?>(7L, nameof(RestoreOrchestrations.SettlePublishedRestore));

        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.False(outcome.Cancelled);
        Assert.Equal(
            [nameof(RestoreOrchestrations.PublishRestore), nameof(RestoreOrchestrations.SettlePublishedRestore),
             nameof(RestoreOrchestrations.FoldInRestore), nameof(RestoreOrchestrations.RecordRestoreLedger), nameof(RestoreOrchestrations.DeleteRestoreWorkingBlobs)],
            calls.SkipWhile(c => c != nameof(RestoreOrchestrations.PublishRestore)));
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(RestoreOrchestrations.FoldInRestore)),
            It.Is<object?>(o => Equals(o, new PublishedRestoreRef(Request, 7, 3))), It.IsAny<TaskOptions?>()));
    }

    [Fact]
    public async Task A_publish_refused_because_a_cancel_came_first_ends_the_restore_cancelled_not_failed()
    {
        Fails(nameof(RestoreOrchestrations.PublishRestore), "Restore r1 was cancelled before it was published.", typeof(RestoreCancelRequestedException).FullName!);

        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.True(outcome.Cancelled);
        Assert.Equal([nameof(RestoreOrchestrations.PublishRestore), nameof(RestoreOrchestrations.RecordRestoreCancelled), nameof(RestoreOrchestrations.DiscardRestore)],
            calls.SkipWhile(c => c != nameof(RestoreOrchestrations.PublishRestore)));
        Assert.DoesNotContain(nameof(RestoreOrchestrations.FailRestore), calls);
        Assert.False(ActivityRetry.IsTransient(new TaskFailureDetails(typeof(RestoreCancelRequestedException).FullName!, "cancelled", null, null, null)));
    }

    [Fact]
    public async Task A_cancel_during_the_documents_lets_the_batches_in_flight_finish_and_starts_no_more()
    {
        var batches = 0;
        OnCall(nameof(RestoreOrchestrations.RestoreDocumentBatch), () =>
        {
            if (++batches == 1)
            {
                cancel.TrySetResult("now");
            }
        });
        Returns(new RestorePlan(20, 2000), nameof(RestoreOrchestrations.PlanRestoreDocuments));

        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.True(outcome.Cancelled);
        Assert.InRange(calls.Count(c => c == nameof(RestoreOrchestrations.RestoreDocumentBatch)), 1, Snapshots.Functions.Orchestration.SlidingWindow.BatchWidth);
        Assert.Equal([nameof(RestoreOrchestrations.RecordRestoreCancelled), nameof(RestoreOrchestrations.DiscardRestore)], calls.TakeLast(2));
    }

    [Theory]
    [InlineData(nameof(RestoreOrchestrations.FoldInRestore))]
    [InlineData(nameof(RestoreOrchestrations.RecordRestoreLedger))]
    public async Task A_failure_after_the_publish_neither_fails_nor_discards_the_restore(string step)
    {
        Fails(step, "storage hiccup");

        var outcome = await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.False(outcome.Cancelled);
        Assert.DoesNotContain(nameof(RestoreOrchestrations.FailRestore), calls);
        Assert.DoesNotContain(nameof(RestoreOrchestrations.DiscardRestore), calls);
        Assert.Contains(nameof(RestoreOrchestrations.DeleteRestoreWorkingBlobs), calls);
    }

    [Fact]
    public async Task A_retry_first_removes_what_the_failed_run_left_keeping_the_hold()
    {
        var retry = Request with { Retry = true };
        var expected = new DiscardRestoreRequest(retry, Cancelled: false, KeepHold: true);
        context.Setup(c => c.GetInput<RestoreRequest>()).Returns(retry);

        await RestoreOrchestrations.RestoreSnapshotOrchestrator(context.Object);

        Assert.Equal(nameof(RestoreOrchestrations.DiscardRestore), calls[0]);
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(RestoreOrchestrations.DiscardRestore)),
            It.Is<object?>(o => Equals(o, expected)), It.IsAny<TaskOptions?>()));
    }

    [Fact]
    public void Permanent_failures_are_not_retried_and_others_are()
    {
        Assert.False(ActivityRetry.IsTransient(new TaskFailureDetails(typeof(Snapshots.Archive.ArchiveValidationException).FullName!, "bad", null, null, null)));
        Assert.False(ActivityRetry.IsTransient(new TaskFailureDetails("System.Exception", "outer", null,
            new TaskFailureDetails(typeof(PermanentFailureException).FullName!, "inner", null, null, null), null)));
        Assert.True(ActivityRetry.IsTransient(new TaskFailureDetails("System.IO.IOException", "disk", null, null, null)));
    }

    private static bool IsInvalidArchiveDiscard(object? input) => input is DiscardRestoreRequest { InvalidArchive: true, Cancelled: false };

    private static bool IsFailure(object? input, string reason) =>
        input is FailRestoreRequest failure && failure.Detail.EndsWith("at Somewhere()") && failure.Reason == reason;

    private readonly Dictionary<string, Action> onCall = [];

    private void OnCall(string activity, Action action) => onCall[activity] = action;

    private void Returns<T>(T value, string? activity = null)
    {
        var setup = activity is null
            ? context.Setup(c => c.CallActivityAsync<T>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            : context.Setup(c => c.CallActivityAsync<T>(new TaskName(activity), It.IsAny<object?>(), It.IsAny<TaskOptions?>()));
        setup.Callback((TaskName name, object? _, TaskOptions? _) =>
        {
            calls.Add(name.Name);
            if (onCall.TryGetValue(name.Name, out var action))
            {
                action();
            }
        }).ReturnsAsync(value);
    }

    private void Fails(string activity, string message, string errorType = "System.InvalidOperationException")
    {
        var failure = new TaskFailedException(activity, 3, new TaskFailureDetails(errorType, message, null, null, null));
        // Moq matches a generic setup for any type argument its own is assignable from: set up only the result type.
        var returnType = typeof(RestoreOrchestrations).GetMethod(activity)!.ReturnType;
        var resultType = returnType.IsGenericType ? returnType.GetGenericArguments().Single() : typeof(object);
        typeof(RestoreOrchestratorTests).GetMethod(nameof(FailsAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(resultType).Invoke(this, [activity, failure]);
    }

    private void FailsAs<T>(string activity, TaskFailedException failure) =>
        context.Setup(c => c.CallActivityAsync<T>(new TaskName(activity), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback((TaskName name, object? _, TaskOptions? _) => calls.Add(name.Name))
            .ThrowsAsync(failure);
}
