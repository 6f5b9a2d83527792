using Microsoft.AspNetCore.Http;
using Snapshots.Access;

namespace Snapshots.Functions.Audit;

/// <summary>
/// What the gate (<see cref="Access.RequestAccess"/>) and the error answer learn about a call, kept on the call's
/// <see cref="HttpContext.Items"/> for its audit entry: who the caller is, the project it acts on, why a 403 said no.
/// </summary>
public sealed class AuditContext
{
    private static readonly object Key = new();

    public Caller? Caller { get; set; }

    private readonly List<string> projects = [];

    /// <summary>The first project the caller was found a member of (allowed or refused); null: the environment's log.</summary>
    public string? ProjectId => projects.FirstOrDefault();

    /// <summary>Every project the call was let at or refused on (a merge: the snapshot's and the target's); each log gets the entry.</summary>
    public IReadOnlyList<string> ProjectIds => projects;

    public string? RefusalReason { get; set; }

    public void RememberProject(string projectId)
    {
        if (!projects.Contains(projectId, StringComparer.Ordinal))
        {
            projects.Add(projectId);
        }
    }

    public static AuditContext Of(HttpContext http)
    {
        if (http.Items.TryGetValue(Key, out var found) && found is AuditContext context)
        {
            return context;
        }

        var created = new AuditContext();
        http.Items[Key] = created;
        return created;
    }
}
