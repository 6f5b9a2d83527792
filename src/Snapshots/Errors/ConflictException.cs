namespace Snapshots.Errors;

/// <summary>The request clashes with the current state of what it names (try again once that state has changed).</summary>
public class ConflictException : RequestRefusedException
{
    public ConflictException(string message)
        : base(message)
    {
    }

    public ConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
