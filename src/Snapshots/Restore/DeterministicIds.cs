using System.Security.Cryptography;
using System.Text;

namespace Snapshots.Restore;

/// <summary>
/// New ids of restored entities: a hash of the restore id, the kind and the old id. A replayed or retried
/// activity computes the same ids, so it overwrites instead of duplicating.
/// </summary>
public static class DeterministicIds
{
    public static string For(string restoreId, string kind, string oldId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{restoreId}\n{kind}\n{oldId}")).AsSpan(0, 16));
}
