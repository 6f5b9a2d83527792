using Snapshots.Errors;

namespace Snapshots.Imports;

/// <summary>An import that cannot be accepted: names the file and the problem, an invalid request.</summary>
public sealed class ImportValidationException : InvalidRequestException
{
    public ImportValidationException(string file, string problem)
        : base(string.IsNullOrEmpty(file) ? char.ToUpperInvariant(problem[0]) + problem[1..] : $"{file}: {problem}")
    {
        File = file;
        Problem = problem;
    }

    private ImportValidationException(string message, bool _)
        : base(message)
    {
        File = "";
        Problem = message;
    }

    public string File { get; }

    public string Problem { get; }

    /// <summary>A refusal whose message already names what is wrong (it may start with an entry name, kept as it is).</summary>
    public static ImportValidationException Whole(string message) => new(message, true);
}

/// <summary>An upload or archive past the configured limits.</summary>
public sealed class ImportTooLargeException(string message) : TooLargeException(message)
{
    /// <summary>What every upload route answers past <see cref="ImportOptions.MaxUploadBytes"/>.</summary>
    public static string UploadMessage(long maxBytes) => $"The upload is larger than the limit of {maxBytes} bytes (Snapshots:Imports:MaxUploadBytes).";
}
