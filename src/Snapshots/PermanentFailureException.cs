namespace Snapshots;

/// <summary>A failure another attempt cannot change: activities that throw it are not retried.</summary>
public class PermanentFailureException(string message) : Exception(message);
