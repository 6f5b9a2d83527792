namespace Snapshots.Archive;

/// <summary>An archive that fails verification: what is wrong, in one line. Nothing has been written when it is thrown.</summary>
public sealed class ArchiveValidationException(string message) : Errors.InvalidRequestException(message);
