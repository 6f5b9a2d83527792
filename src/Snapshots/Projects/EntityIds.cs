using System.Text.RegularExpressions;

namespace Snapshots.Projects;

/// <summary>Ids chosen by clients end up in Cosmos ids and blob names: keep them to a safe alphabet.</summary>
public static partial class EntityIds
{
    public const string Rule = "An id has 1 to 64 letters, digits, '-' or '_'.";

    public static bool IsValid(string id) => SafeId().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SafeId();
}
