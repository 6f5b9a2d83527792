using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using Snapshots.Archive;
using Snapshots.Configuration;
using Snapshots.Imports;
using Snapshots.Restore;
using Snapshots.Storage;

namespace Snapshots.Tests.Unit;

/// <summary>
/// A restore's reader mark needs the snapshot storage's primary; with a readable secondary configured, a primary
/// that does not answer no longer stops the restore from reading. Without a secondary nothing changes.
/// Storage here is a loopback port nobody listens on: refused at once, no retries.
/// </summary>
public sealed class PrimaryUnavailableTests
{
    private static readonly RestoreRequest Request = new("restore-1", "snap-1", "project-1", Merge: false, NewProject: true);

    [Theory]
    [InlineData(0, true)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    public void Only_no_response_counts_as_no_answer_a_busy_primary_still_answers(int status, bool noAnswer) =>
        Assert.Equal(noAnswer, SnapshotStorageClientOptions.NoAnswer(new RequestFailedException(status, "failed")));

    [Fact]
    public void Retries_that_all_went_unanswered_count_as_no_answer()
    {
        Assert.True(SnapshotStorageClientOptions.NoAnswer(new AggregateException(new RequestFailedException(0, "refused"), new TaskCanceledException("timed out"))));
        Assert.False(SnapshotStorageClientOptions.NoAnswer(new AggregateException(new RequestFailedException(0, "refused"), new RequestFailedException(403, "denied"))));
        Assert.False(SnapshotStorageClientOptions.NoAnswer(new InvalidOperationException()));
    }

    [Fact]
    public async Task With_a_secondary_releasing_the_archive_survives_a_primary_that_does_not_answer()
    {
        var logger = Logger();
        await Staging(secondary: true, logger.Object).ReleaseArchiveAsync(Request, CancellationToken.None);
        VerifyMarkWarning(logger, Times.Once());
    }

    [Fact]
    public async Task Without_a_secondary_releasing_the_archive_still_fails()
    {
        var logger = Logger();
        await Assert.ThrowsAsync<RequestFailedException>(() => Staging(secondary: false, logger.Object).ReleaseArchiveAsync(Request, CancellationToken.None));
        VerifyMarkWarning(logger, Times.Never());
    }

    [Fact]
    public async Task With_a_secondary_opening_the_archive_goes_on_to_read_without_the_mark()
    {
        var logger = Logger();
        // The read fails too here (nothing answers at all), but only after the unwritten mark was passed over.
        await Assert.ThrowsAsync<RequestFailedException>(() => Staging(secondary: true, logger.Object).OpenArchiveAsync(Request, CancellationToken.None));
        VerifyMarkWarning(logger, Times.Once());
    }

    private static RestoreStaging Staging(bool secondary, ILogger<RestoreStaging> logger)
    {
        var endpoint = new Uri($"http://127.0.0.1:{UnusedPort()}/devstoreaccount1");
        var client = new BlobServiceClient(endpoint, new BlobClientOptions { Retry = { MaxRetries = 0 } });
        var factory = new Mock<IAzureClientFactory<BlobServiceClient>>();
        factory.Setup(f => f.CreateClient(It.IsAny<string>())).Returns(client);
        var accounts = new BlobAccounts(factory.Object);
        var storage = Options.Create(new SnapshotStorageOptions { SecondaryServiceUri = secondary ? "http://127.0.0.1:1/devstoreaccount1-secondary" : null });
        return new RestoreStaging(accounts, new SnapshotBlobs(accounts, storage), Options.Create(new ImportOptions()), storage, TimeProvider.System, logger);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Mock<ILogger<RestoreStaging>> Logger()
    {
        var logger = new Mock<ILogger<RestoreStaging>>();
        logger.Setup(l => l.IsEnabled(It.IsAny<LogLevel>())).Returns(true);
        return logger;
    }

    private static void VerifyMarkWarning(Mock<ILogger<RestoreStaging>> logger, Times times) =>
        logger.Verify(l => l.Log(LogLevel.Warning, It.Is<EventId>(id => id.Id == 2020), It.IsAny<It.IsAnyType>(), It.IsAny<Exception?>(),
            It.IsAny<Func<It.IsAnyType, Exception?, string>>()), times);
}
