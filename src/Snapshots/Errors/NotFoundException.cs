namespace Snapshots.Errors;

/// <summary>What the request names does not exist, or the caller may not know that it does.</summary>
public class NotFoundException : RequestRefusedException
{
    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
