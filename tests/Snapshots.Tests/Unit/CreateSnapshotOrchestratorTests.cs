using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Moq.Protected;
using Snapshots.Create;
using Snapshots.Functions.Snapshots;
using Snapshots.Records;

namespace Snapshots.Tests.Unit;

public sealed class CreateSnapshotOrchestratorTests
{
    private static readonly CreateSnapshotRequest Request = new("s1", "snp-x", "p1", [SnapshotMode.Dataset]);
    private readonly Mock<TaskOrchestrationContext> context = new() { CallBase = true };
    private readonly List<string> calls = [];

    public CreateSnapshotOrchestratorTests()
    {
        context.Setup(c => c.GetInput<CreateSnapshotRequest>()).Returns(Request);
        context.Protected().SetupGet<ILoggerFactory>("LoggerFactory").Returns(NullLoggerFactory.Instance);
        context.SetupGet(c => c.CurrentUtcDateTime).Returns(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        context.Setup(c => c.CallActivityAsync<object>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback((TaskName name, object? _, TaskOptions? _) => calls.Add(name.Name)).ReturnsAsync((object?)null!);
        context.Setup(c => c.CallActivityAsync<List<string>>(new TaskName(nameof(CreateSnapshotFunctions.ExportSnapshotAis)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ReturnsAsync(["a warning"]);
        context.Setup(c => c.CallActivityAsync<DocumentPlan>(new TaskName(nameof(CreateSnapshotFunctions.PlanSnapshotDocuments)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ReturnsAsync(new DocumentPlan(950, 10));
        context.Setup(c => c.CallActivityAsync<DocumentBatchResult>(new TaskName(nameof(CreateSnapshotFunctions.ExportSnapshotDocumentBatch)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Callback((TaskName name, object? _, TaskOptions? _) => calls.Add(name.Name))
            .ReturnsAsync(new DocumentBatchResult(95, 95, 950, 95));
        context.Setup(c => c.CallActivityAsync<AssembledArchive>(new TaskName(nameof(CreateSnapshotFunctions.AssembleSnapshotArchive)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ReturnsAsync(new AssembledArchive(new SnapshotCounts(Documents: 950), 1234));
    }

    [Fact]
    public async Task Exports_every_batch_then_assembles_and_finishes_with_the_warnings()
    {
        var archive = await CreateSnapshotFunctions.CreateSnapshotOrchestrator(context.Object);

        Assert.Equal(1234, archive.Bytes);
        Assert.Equal(10, calls.Count(c => c == nameof(CreateSnapshotFunctions.ExportSnapshotDocumentBatch)));
        for (var index = 0; index < 10; index++)
        {
            var expected = new DocumentBatchRef(Request, index);
            context.Verify(c => c.CallActivityAsync<DocumentBatchResult>(
                new TaskName(nameof(CreateSnapshotFunctions.ExportSnapshotDocumentBatch)), It.Is<object?>(o => Equals(o, expected)), It.IsAny<TaskOptions?>()), Times.Once);
        }

        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(CreateSnapshotFunctions.FinishSnapshot)),
            It.Is<object?>(o => IsFinishWith(o, "a warning", 1234)), It.IsAny<TaskOptions?>()), Times.Once);
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(CreateSnapshotFunctions.FailSnapshot)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()), Times.Never);
        context.Verify(c => c.SetCustomStatus(It.Is<object?>(o => IsAssemblingAfter(o, 950))));
    }

    [Fact]
    public async Task The_part_blobs_go_after_the_snapshot_is_created()
    {
        await CreateSnapshotFunctions.CreateSnapshotOrchestrator(context.Object);

        Assert.Equal([nameof(CreateSnapshotFunctions.FinishSnapshot), nameof(CreateSnapshotFunctions.DeleteSnapshotParts)], calls.TakeLast(2));
    }

    [Fact]
    public async Task Parts_that_cannot_be_removed_leave_the_snapshot_created()
    {
        context.Setup(c => c.CallActivityAsync<object>(new TaskName(nameof(CreateSnapshotFunctions.DeleteSnapshotParts)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ThrowsAsync(new TaskFailedException("DeleteSnapshotParts", 9, new TaskFailureDetails("RequestFailedException", "storage unavailable", null, null, null)));

        var archive = await CreateSnapshotFunctions.CreateSnapshotOrchestrator(context.Object);

        Assert.Equal(1234, archive.Bytes);
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(CreateSnapshotFunctions.FailSnapshot)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()), Times.Never);
    }

    [Fact]
    public async Task A_failed_activity_marks_the_snapshot_failed_with_the_reason_and_fails_the_orchestration()
    {
        context.Setup(c => c.CallActivityAsync<AssembledArchive>(new TaskName(nameof(CreateSnapshotFunctions.AssembleSnapshotArchive)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .ThrowsAsync(new TaskFailedException("AssembleSnapshotArchive", 7, new TaskFailureDetails("IOException", "disk full\nat somewhere", null, null, null)));

        var error = await Assert.ThrowsAsync<SnapshotFailedException>(() => CreateSnapshotFunctions.CreateSnapshotOrchestrator(context.Object));

        Assert.Equal("disk full", error.Message);
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(CreateSnapshotFunctions.FailSnapshot)),
            It.Is<object?>(o => IsFailureWith(o, "disk full")), It.IsAny<TaskOptions?>()), Times.Once);
        context.Verify(c => c.CallActivityAsync<object>(new TaskName(nameof(CreateSnapshotFunctions.FinishSnapshot)), It.IsAny<object?>(), It.IsAny<TaskOptions?>()), Times.Never);
        Assert.DoesNotContain(nameof(CreateSnapshotFunctions.DeleteSnapshotParts), calls);
    }

    private static bool IsFinishWith(object? input, string warning, long bytes) =>
        input is FinishSnapshotRequest finish && finish.Warnings.Single() == warning && finish.Archive.Bytes == bytes && finish.Snapshot == Request;

    private static bool IsFailureWith(object? input, string reason) =>
        input is FailSnapshotRequest failure && failure.Reason == reason && failure.Snapshot == Request && failure.Detail == "disk full\nat somewhere";

    private static bool IsAssemblingAfter(object? status, int documents) =>
        status is CreateSnapshotProgress progress && progress.Stage == CreateStages.Assembling && progress.DocumentsDone == documents;
}
