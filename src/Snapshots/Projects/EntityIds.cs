using Snapshots.Naming;

namespace Snapshots.Projects;

/// <summary>Ids of stored entities: the id half of <see cref="NamePolicy"/>.</summary>
public static class EntityIds
{
    public const string Rule = NamePolicy.IdRule;

    public static bool IsValid(string id) => NamePolicy.IsValidId(id);
}
