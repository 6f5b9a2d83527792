namespace Snapshots.Errors;

/// <summary>
/// A service this one depends on does not answer right now; not a fault of the request, so a retry can succeed.
/// </summary>
public sealed class DependencyUnavailableException : Exception
{
    public DependencyUnavailableException(string dependency, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dependency);
        Dependency = dependency;
    }

    /// <summary>What does not answer, as a client reads it (for example "blob storage").</summary>
    public string Dependency { get; }
}
