using System.IO.Pipelines;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Snapshots.Storage;

/// <summary>
/// A stream to write a block blob through while the SDK's partitioned uploader sends its blocks, several at once:
/// the blob's own write stream (OpenWrite) stops taking bytes until each block is stored. Memory is bounded by the
/// blocks in flight plus two blocks waiting in the pipe. The blob is committed by <see cref="CompleteAsync"/> only:
/// disposed before that (the writer failed), the upload is abandoned and nothing is committed.
/// </summary>
public sealed class ParallelBlockUpload : IAsyncDisposable
{
    public const int BlockBytes = 8 * 1024 * 1024;
    public const int BlocksInFlight = 4;

    private readonly Pipe pipe;
    private readonly Task upload;
    private bool completed;

    private ParallelBlockUpload(Pipe pipe, Task upload)
    {
        this.pipe = pipe;
        this.upload = upload;
        Stream = pipe.Writer.AsStream(leaveOpen: true);
    }

    /// <summary>What the writer writes; it ends the blob with <see cref="CompleteAsync"/>.</summary>
    public Stream Stream { get; }

    public static ParallelBlockUpload Start(BlockBlobClient blob, BlobHttpHeaders headers, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 2 * BlockBytes, resumeWriterThreshold: BlockBytes, useSynchronizationContext: false));
        var options = new BlobUploadOptions
        {
            HttpHeaders = headers,
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockBytes, MaximumTransferSize = BlockBytes, MaximumConcurrency = BlocksInFlight },
        };
        // Not cancelled before it runs: the reader must always complete, or a waiting writer would wait forever.
        var upload = Task.Run(async () =>
        {
            try
            {
                await using var content = pipe.Reader.AsStream(leaveOpen: true);
                await blob.UploadAsync(content, options, cancellationToken);
                await pipe.Reader.CompleteAsync();
            }
            catch (Exception ex)
            {
                // The writer's next flush sees the reader gone instead of waiting for room that never comes.
                await pipe.Reader.CompleteAsync(ex);
                throw;
            }
        }, CancellationToken.None);
        return new ParallelBlockUpload(pipe, upload);
    }

    /// <summary>Ends the content and waits until the blob is committed; a failed block fails this call.</summary>
    public async Task CompleteAsync()
    {
        await Stream.FlushAsync();
        completed = true;
        await pipe.Writer.CompleteAsync();
        await upload;
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (completed)
        {
            return;
        }

        // A content that ends in an error is never committed: the uploader's read fails before its commit.
        await pipe.Writer.CompleteAsync(new OperationCanceledException("The blob's writer stopped before its end; nothing is committed."));
        try
        {
            await upload;
        }
        catch (Exception)
        {
            // The writer's own failure is what the caller sees.
        }
    }
}
