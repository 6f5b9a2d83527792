using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Snapshots.Storage;

namespace Snapshots.Projects;

/// <summary>
/// Document, project and AI model files in the environment's data storage. Blob names are deterministic
/// (<c>{projectId}/{ownerId}/{name}</c>) so a retried write overwrites instead of duplicating.
/// </summary>
public sealed class ProjectFiles(BlobAccounts accounts)
{
    public const string ProjectFilesOwner = "_project";

    private BlobServiceClient Data => accounts.Data;

    public BlobContainerClient Documents => Data.GetBlobContainerClient(BlobContainerNames.Documents);

    public BlobContainerClient Models => Data.GetBlobContainerClient(BlobContainerNames.Models);

    public static string BlobName(string projectId, string ownerId, string fileName) => $"{projectId}/{ownerId}/{fileName}";

    public Task<StoredFile> UploadDocumentFileAsync(string projectId, string documentId, string fileName, Stream content, CancellationToken cancellationToken) =>
        UploadAsync(Documents, BlobName(projectId, documentId, fileName), fileName, content, cancellationToken);

    public Task<StoredFile> UploadProjectFileAsync(string projectId, string fileName, Stream content, CancellationToken cancellationToken) =>
        UploadAsync(Documents, BlobName(projectId, ProjectFilesOwner, fileName), fileName, content, cancellationToken);

    public Task<StoredFile> UploadModelFileAsync(string projectId, string aiId, string fileName, Stream content, CancellationToken cancellationToken) =>
        UploadAsync(Models, BlobName(projectId, aiId, fileName), fileName, content, cancellationToken);

    /// <summary>The blob behind a stored file (its <see cref="StoredFile.Blob"/> is <c>container/name</c>).</summary>
    public BlobClient Resolve(StoredFile file)
    {
        var separator = file.Blob.IndexOf('/');
        return Blob(file.Blob[..separator], file.Blob[(separator + 1)..]);
    }

    /// <summary>A blob of the data storage by container and name.</summary>
    public BlobClient Blob(string container, string name) => Data.GetBlobContainerClient(container).GetBlobClient(name);

    /// <summary>Deletes the files of one owner (a document, an AI, the project's own files).</summary>
    public Task DeleteOwnerFilesAsync(BlobContainerClient container, string projectId, string ownerId, CancellationToken cancellationToken) =>
        container.DeleteByPrefixAsync($"{projectId}/{ownerId}/", cancellationToken);

    /// <summary>Deletes every file of a project in both containers.</summary>
    public async Task DeleteProjectFilesAsync(string projectId, CancellationToken cancellationToken)
    {
        foreach (var container in new[] { Documents, Models })
        {
            await container.DeleteByPrefixAsync(projectId + "/", cancellationToken);
        }
    }

    private static async Task<StoredFile> UploadAsync(BlobContainerClient container, string blobName, string fileName, Stream content, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(blobName);
        var contentType = ContentTypes.For(fileName);
        await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);
        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        return new StoredFile(fileName, container.Name + "/" + blobName, properties.Value.ContentLength, contentType);
    }
}

internal static class ContentTypes
{
    public static string For(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".pdf" => "application/pdf",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".tif" or ".tiff" => "image/tiff",
        ".txt" => "text/plain; charset=utf-8",
        ".json" or ".json5" => "application/json",
        ".zip" => "application/zip",
        _ => "application/octet-stream",
    };
}
