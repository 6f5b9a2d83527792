using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Snapshots.Archive;

/// <summary>Snapshot identifiers: opaque, URL-safe, unguessable; each names its archive's folder in snapshot storage.</summary>
public static partial class SnapshotIdentifiers
{
    /// <summary>160 random bits in URL-safe base64 behind a prefix that tells how the snapshot came to be.</summary>
    public static string New(string prefix = "snp") =>
        $"{prefix}-{Convert.ToBase64String(RandomNumberGenerator.GetBytes(20)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

    public static bool IsWellFormed(string? identifier) => identifier is not null && WellFormed().IsMatch(identifier);

    [GeneratedRegex("^[A-Za-z0-9_-]{8,100}$")]
    private static partial Regex WellFormed();
}
