using Microsoft.DurableTask;
using Snapshots.Archive;
using Snapshots.Create;
using Snapshots.Imports;

namespace Snapshots.Functions.Orchestration;

/// <summary>
/// The one retry policy of every orchestration's activities: three attempts with backoff, but none again for a
/// failure that another attempt cannot change (an archive that fails verification, a refused request).
/// </summary>
public static class ActivityRetry
{
    public static TaskOptions Options { get; } = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2)
    {
        HandleFailure = IsTransient,
    });

    // Matched by name: the failure details carry the exception's type name, not the type.
    private static readonly HashSet<string> Permanent = new(StringComparer.Ordinal)
    {
        typeof(ArchiveValidationException).FullName!,
        typeof(ArchiveTooLargeException).FullName!,
        typeof(ImportValidationException).FullName!,
        typeof(NoDatasetDocumentsException).FullName!,
        typeof(SnapshotRequestException).FullName!,
        typeof(PermanentFailureException).FullName!,
    };

    public static bool IsTransient(TaskFailureDetails failure) => !IsPermanent(failure);

    public static bool IsPermanent(TaskFailureDetails? failure) =>
        failure is not null && (Permanent.Contains(failure.ErrorType) || IsPermanent(failure.InnerFailure));
}
