namespace Snapshots.Cli.Api;

/// <summary>The API refused a request: its problem detail, and the HTTP status.</summary>
public sealed class ApiException(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;
}

/// <summary>The service did not answer at all.</summary>
public sealed class ServiceUnreachableException(string url, Exception inner)
    : Exception($"cannot reach the snapshot service at {url} (is it running? start it with: dotnet run --project src/Snapshots.Local)", inner);

/// <summary>A long-running operation ended in failure.</summary>
public sealed class OperationFailedException(string message) : Exception(message);
