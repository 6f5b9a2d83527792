namespace Snapshots.Cli.Api;

/// <summary>The API refused a request: its problem detail, and the HTTP status.</summary>
public sealed class ApiException(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;
}

/// <summary>The service did not answer at all.</summary>
public sealed class ServiceUnreachableException(string url, Exception inner)
    : Exception($"cannot reach the snapshot service at {url} (is it running? start it with: dotnet run --project src/Snapshots.Local)", inner);

/// <summary>The service answered, but not with what the API promises (not JSON, a field missing).</summary>
public sealed class UnexpectedAnswerException(string message) : Exception(message);

/// <summary>A long-running operation ended in failure.</summary>
public sealed class OperationFailedException(string message) : Exception(message);
