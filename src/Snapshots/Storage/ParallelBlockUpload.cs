using System.IO.Pipelines;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Snapshots.Storage;

/// <summary>
/// A stream to write a block blob through while the SDK's partitioned uploader sends its blocks, several at once:
/// the blob's own write stream (OpenWrite) stops taking bytes until each block is stored. Memory is bounded by the
/// blocks in flight, two blocks waiting in the pipe and a small write buffer. The blob is committed by
/// <see cref="CompleteAsync"/> only: disposed before that (the writer failed), the upload is abandoned and nothing is
/// committed.
/// </summary>
public sealed class ParallelBlockUpload : IAsyncDisposable
{
    public const int BlockBytes = 8 * 1024 * 1024;
    public const int BlocksInFlight = 4;

    // Zip writers make many writes of a few bytes (headers, names, descriptors): gathered first, so the uploader is
    // woken per megabyte, not per write.
    private const int WriteBufferBytes = 1024 * 1024;

    private readonly Pipe pipe;
    private readonly Task upload;
    private readonly CancellationTokenSource abandon;
    private bool completed;

    private ParallelBlockUpload(Pipe pipe, Task upload, CancellationTokenSource abandon)
    {
        this.pipe = pipe;
        this.upload = upload;
        this.abandon = abandon;
        Stream = new BufferedStream(pipe.Writer.AsStream(leaveOpen: true), WriteBufferBytes);
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
        var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Not cancelled before it runs: the reader must always complete, or a waiting writer would wait forever.
        var upload = Task.Run(async () =>
        {
            try
            {
                await using var content = pipe.Reader.AsStream(leaveOpen: true);
                await blob.UploadAsync(content, options, abandon.Token);
                await pipe.Reader.CompleteAsync();
            }
            catch (Exception ex)
            {
                // The blocks still in flight stop too (the uploader leaves them running when one fails).
                await abandon.CancelAsync();
                // The writer's next write fails with this instead of waiting for room that never comes. Not the SDK's
                // own exception: a writer copying from another blob must not take it for its source's failure.
                await pipe.Reader.CompleteAsync(new IOException($"The upload of blob {blob.Name} failed: {ex.Message}", ex));
                throw;
            }
        }, CancellationToken.None);
        return new ParallelBlockUpload(pipe, upload, abandon);
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
        if (!completed)
        {
            // A content that ends in an error is never committed: the uploader's next read fails before its commit.
            // What the write buffer holds is dropped, not flushed into a pipe that is being abandoned.
            await abandon.CancelAsync();
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

        abandon.Dispose();
    }
}
