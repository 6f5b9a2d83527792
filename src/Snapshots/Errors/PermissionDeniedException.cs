namespace Snapshots.Errors;

/// <summary>The caller is known but lacks the right the request needs.</summary>
public class PermissionDeniedException : RequestRefusedException
{
    public PermissionDeniedException(string message)
        : base(message)
    {
    }

    public PermissionDeniedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
