namespace Snapshots.Errors;

/// <summary>The request itself is malformed or asks for something that cannot be.</summary>
public class InvalidRequestException : RequestRefusedException
{
    public InvalidRequestException(string message)
        : base(message)
    {
    }

    public InvalidRequestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
