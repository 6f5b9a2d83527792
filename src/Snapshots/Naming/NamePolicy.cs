using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Snapshots.Naming;

/// <summary>
/// The one rule for every name that becomes part of a blob name or a Cosmos id, whoever supplies it: entries of a
/// snapshot archive or a Konfuzio export, file names of AI registrations and project files, entity ids. Names are
/// compared after Unicode NFC normalisation, so two spellings of one name are one name. Every check answers the
/// reason a name is refused (null when it is fine), for a 400 that names the offender before anything is written.
/// </summary>
public static partial class NamePolicy
{
    public const int MaxIdLength = 64;
    public const int MaxSegmentLength = 255;
    public const int MaxPathLength = 512;

    public const int MaxSegments = 64;

    /// <summary>Owners of files that are no entity (a project's own files live under <c>_project</c>) start with '_': no id may.</summary>
    public const string IdRule = "An id has 1 to 64 letters, digits, '-' or '_', and does not start with '_'.";

    public static bool IsValidId(string? id) => id is not null && SafeId().IsMatch(id);

    public static string? IdProblem(string? id) => IsValidId(id) ? null : $"'{Printable(id ?? "")}' is not a valid id. {IdRule}";

    /// <summary>A relative path of '/'-separated segments (e.g. <c>regex/a.json5</c>), as archive entries and file names are.</summary>
    public static string? PathProblem(string path)
    {
        if (path.Length == 0)
        {
            return "an empty name";
        }

        if (path.Any(c => char.IsControl(c)) || !IsWellFormedUtf16(path))
        {
            return $"'{Printable(path[..Math.Min(200, path.Length)])}' contains a control character, a NUL or a broken character";
        }

        // The limits hold for the form the name is stored in (NFC can lengthen a name).
        var normalized = Normalize(path);
        if (normalized.Length > MaxPathLength)
        {
            return $"'{Printable(path[..Math.Min(64, path.Length)])}...' is longer than {MaxPathLength} characters";
        }

        if (path.Contains('\\'))
        {
            return $"'{path}' contains a backslash";
        }

        if (path.StartsWith('/') || DriveLetter().IsMatch(path) || path.Contains(':'))
        {
            return $"'{path}' is absolute or names a drive or stream (':')";
        }

        var segments = normalized.Split('/');
        if (segments.Length > MaxSegments)
        {
            return $"'{Printable(path[..Math.Min(64, path.Length)])}...' has more than {MaxSegments} segments";
        }

        foreach (var segment in segments)
        {
            switch (segment)
            {
                case "":
                    return $"'{path}' has an empty segment";
                case "." or "..":
                    return $"'{path}' has a '{segment}' segment";
                case { Length: > MaxSegmentLength }:
                    return $"'{Printable(path[..Math.Min(64, path.Length)])}...' has a segment longer than {MaxSegmentLength} characters";
            }
        }

        return null;
    }

    /// <summary>One file name, no folders.</summary>
    public static string? FileNameProblem(string name) =>
        name.Contains('/') ? $"'{name}' is a path, not a file name" : PathProblem(name);

    /// <summary>The form names are stored and compared in.</summary>
    public static string Normalize(string name) => name.IsNormalized(NormalizationForm.FormC) ? name : name.Normalize(NormalizationForm.FormC);

    /// <summary>
    /// What is wrong with a zip entry besides its name: a symbolic link (whose target a careless extractor would
    /// follow) is never content.
    /// </summary>
    public static string? EntryProblem(ZipArchiveEntry entry)
    {
        const int UnixFileTypeMask = 0xF000, UnixSymbolicLink = 0xA000;
        return ((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymbolicLink
            ? $"'{Printable(entry.FullName)}' is a symbolic link"
            : PathProblem(entry.FullName.EndsWith('/') ? entry.FullName[..^1] : entry.FullName);
    }

    /// <summary>A name as it can be shown in a one-line message: control characters as \uXXXX.</summary>
    public static string Printable(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static bool IsWellFormedUtf16(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9-][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex SafeId();

    [GeneratedRegex("^[A-Za-z]:")]
    private static partial Regex DriveLetter();
}
