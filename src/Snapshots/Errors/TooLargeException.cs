namespace Snapshots.Errors;

/// <summary>The request, or what it carries, is past a configured limit.</summary>
public class TooLargeException : RequestRefusedException
{
    public TooLargeException(string message)
        : base(message)
    {
    }

    public TooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
