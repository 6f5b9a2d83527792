namespace Snapshots.Imports;

/// <summary>An import that cannot be accepted: names the file and the problem, and becomes a 400.</summary>
public sealed class ImportValidationException(string file, string problem)
    : Exception(string.IsNullOrEmpty(file) ? char.ToUpperInvariant(problem[0]) + problem[1..] : $"{file}: {problem}")
{
    public string File { get; } = file;

    public string Problem { get; } = problem;
}

/// <summary>An upload or archive past the configured limits: becomes a 413.</summary>
public sealed class ImportTooLargeException(string message) : Exception(message);
