using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
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

    [Theory]
    [InlineData("0.25", 250)]
    [InlineData("3", 3000)]
    [InlineData(null, null)]
    [InlineData("0", null)]
    [InlineData("-1", null)]
    [InlineData("soon", null)]
    [InlineData("NaN", null)]
    public void The_first_pause_comes_from_a_positive_number_of_seconds_or_stays_the_default(string? setting, int? milliseconds)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new(ActivityRetry.FirstRetrySecondsSetting, setting)]).Build();

        Assert.Equal(milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null, ActivityRetry.FirstRetryIntervalFrom(configuration));
    }
}
