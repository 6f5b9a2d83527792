using Microsoft.DurableTask;
using Snapshots.Archive;
using Snapshots.Create;
using Snapshots.Errors;
using Snapshots.Functions.Orchestration;
using Snapshots.Imports;

namespace Snapshots.Tests.Unit;

/// <summary>The failure details carry only a type name: a refusal of any kind, named by its subclass, is still permanent.</summary>
public sealed class ActivityRetryTests
{
    public static TheoryData<string> Refusals() =>
    [
        typeof(NoDatasetDocumentsException).FullName!,
        typeof(ConflictException).FullName!,
        typeof(NotFoundException).FullName!,
        typeof(InvalidRequestException).FullName!,
        typeof(ImportValidationException).FullName!,
        typeof(ImportTooLargeException).FullName!,
        typeof(ArchiveTooLargeException).FullName!,
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refused_request_is_not_tried_again(string errorType)
    {
        Assert.True(ActivityRetry.IsPermanent(Failure(errorType)));
        Assert.True(ActivityRetry.IsPermanent(new TaskFailureDetails("System.Exception", "outer", null, Failure(errorType), null)));
    }

    [Fact]
    public void Only_the_archive_refusals_say_the_archive_is_invalid()
    {
        Assert.True(ActivityRetry.IsInvalidArchive(Failure(typeof(ArchiveValidationException).FullName!)));
        Assert.False(ActivityRetry.IsInvalidArchive(Failure(typeof(ConflictException).FullName!)));
    }

    public static TheoryData<string> Transient() =>
    [
        typeof(IOException).FullName!,
        typeof(DependencyUnavailableException).FullName!,
    ];

    [Theory]
    [MemberData(nameof(Transient))]
    public void Anything_else_is_tried_again(string errorType) => Assert.True(ActivityRetry.IsTransient(Failure(errorType)));

    private static TaskFailureDetails Failure(string errorType) => new(errorType, "failed", null, null, null);
}
