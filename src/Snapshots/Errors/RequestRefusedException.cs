namespace Snapshots.Errors;

/// <summary>
/// A request the service refuses for a reason the caller can act on. Each subclass names the reason; the HTTP
/// hosts decide the status, so the engine knows nothing of HTTP. Another attempt of the same request fails the same way.
/// </summary>
public abstract class RequestRefusedException : Exception
{
    protected RequestRefusedException(string message)
        : base(message)
    {
    }

    protected RequestRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
