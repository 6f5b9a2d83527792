namespace Snapshots.Errors;

/// <summary>The caller did not prove who they are: no token, or one that is not valid.</summary>
public class AuthenticationRequiredException : RequestRefusedException
{
    public AuthenticationRequiredException(string message)
        : base(message)
    {
    }

    public AuthenticationRequiredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
