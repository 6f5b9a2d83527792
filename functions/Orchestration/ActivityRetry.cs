using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Snapshots.Archive;
using Snapshots.Errors;
using Snapshots.Restore;

namespace Snapshots.Functions.Orchestration;

/// <summary>
/// The one retry policy of every orchestration's activities: three attempts with backoff, but none again for a
/// failure that another attempt cannot change (an archive that fails verification, a refused request).
/// </summary>
public static class ActivityRetry
{
    /// <summary>The pause before the second attempt (the third waits twice as long): 2 s unless configured.</summary>
    public const string FirstRetrySecondsSetting = "Snapshots:Orchestration:FirstRetrySeconds";

    public static TimeSpan DefaultFirstRetryInterval { get; } = TimeSpan.FromSeconds(2);

    public static TaskOptions Options { get; private set; } = For(DefaultFirstRetryInterval);

    /// <summary>
    /// Sets the first pause from <see cref="FirstRetrySecondsSetting"/> when a host starts with it (the tests pause a
    /// fraction of a second). A process-wide value, like the policy itself: every replay of an orchestration in the
    /// process sees the same one, and a host started without the setting leaves it as it is.
    /// </summary>
    public static void Configure(IConfiguration configuration)
    {
        if (FirstRetryIntervalFrom(configuration) is { } interval)
        {
            Options = For(interval);
        }
    }

    /// <summary>The configured first pause; null when the setting is missing or not a positive number of seconds.</summary>
    public static TimeSpan? FirstRetryIntervalFrom(IConfiguration configuration) =>
        double.TryParse(configuration[FirstRetrySecondsSetting], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static TaskOptions For(TimeSpan firstRetryInterval) => TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: firstRetryInterval, backoffCoefficient: 2)
    {
        HandleFailure = IsTransient,
    });

    public static bool IsTransient(TaskFailureDetails failure) => !IsPermanent(failure);

    /// <summary>The publish refused because a cancel was accepted first.</summary>
    public static bool IsCancelRequested(TaskFailureDetails? failure) => CausedBy<RestoreCancelRequestedException>(failure);

    /// <summary>The archive itself is at fault: no retry of the restore that read it can succeed.</summary>
    public static bool IsInvalidArchive(TaskFailureDetails? failure) =>
        CausedBy<ArchiveValidationException>(failure) || CausedBy<ArchiveTooLargeException>(failure);

    /// <summary>A refused request (any <see cref="RequestRefusedException"/>, archive and import refusals among them) or a failure marked permanent.</summary>
    public static bool IsPermanent(TaskFailureDetails? failure) =>
        CausedBy<RequestRefusedException>(failure) || CausedBy<PermanentFailureException>(failure) || CausedBy<RestoreCancelRequestedException>(failure);

    /// <summary>
    /// The failure or one of its inner failures is a <typeparamref name="T"/> or a subclass of it: the failure
    /// details carry only the type's name, which <see cref="TaskFailureDetails.IsCausedBy{T}"/> resolves among the
    /// loaded assemblies and matches with inheritance.
    /// </summary>
    private static bool CausedBy<T>(TaskFailureDetails? failure)
        where T : Exception =>
        failure is not null && (failure.IsCausedBy<T>() || CausedBy<T>(failure.InnerFailure));
}
