using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Projects;

namespace Snapshots.Functions.Projects;

public sealed record MemberView(string UserId, string? Name, string Role)
{
    public static MemberView From(Member member) => new(member.Id, member.Name, member.Role);
}

public sealed record MembersBody(IReadOnlyList<MemberView?>? Members);

/// <summary>Who may do what on a project: its members and their roles (owner, maintainer, reader).</summary>
public sealed class MemberFunctions(MembershipStore members, ProjectLeases leases, RequestAccess access)
{
    public const int MaxMembers = 1000;

    [Function(nameof(ListMembers))]
    public async Task<IActionResult> ListMembers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/members")] HttpRequest request,
        string projectId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        await access.ForExistingProjectAsync(request, projectId, Permission.ReadProject);

        var list = await members.ListAsync(projectId, cancellationToken);
        return new OkObjectResult(new PageView<MemberView>([.. list.Select(MemberView.From)], null));
    }

    /// <summary>Replaces the member list: everyone listed gets their role, everyone else loses access.</summary>
    [Function(nameof(SetMembers))]
    public async Task<IActionResult> SetMembers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "projects/{projectId}/members")] HttpRequest request,
        string projectId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var project = (await access.ForExistingProjectAsync(request, projectId, Permission.ManageMembers)).Resource;

        var (body, error) = await RequestBodies.ReadJsonAsync<MembersBody>(request);
        if (body?.Members is null)
        {
            return Problems.BadRequest((error ?? "'members' is missing.") + " Send {\"members\": [{\"userId\": \"...\", \"role\": \"owner|maintainer|reader\"}]}.");
        }

        if (Validate(body.Members) is { } invalid)
        {
            return Problems.BadRequest(invalid);
        }

        var wanted = body.Members.Select(m => new Member { Id = m!.UserId.Trim(), Name = m.Name, Role = m.Role.ToLowerInvariant() }).ToList();
        // The list spans one item per member: two replacements interleaved could leave no owner, so one at a time.
        if (await leases.TryAcquireAsync(projectId, MembersLease, ProjectLeases.DefaultDuration, cancellationToken) is not { } holder)
        {
            return Problems.Conflict("Another request is changing this project's members; read the list again and retry.");
        }

        try
        {
            foreach (var member in wanted)
            {
                await members.GrantAsync(project, member, cancellationToken);
            }

            foreach (var gone in (await members.ListAsync(projectId, cancellationToken)).Where(m => wanted.All(w => w.Id != m.Id)))
            {
                await members.RevokeAsync(projectId, gone.Id, cancellationToken);
            }
        }
        finally
        {
            await leases.ReleaseAsync(projectId, MembersLease, holder, CancellationToken.None);
        }

        return new OkObjectResult(new PageView<MemberView>([.. wanted.Select(MemberView.From)], null));
    }

    private const string MembersLease = "members";

    private static string? Validate(IReadOnlyList<MemberView?> list)
    {
        if (list.Count > MaxMembers)
        {
            return $"A project has at most {MaxMembers} members.";
        }

        if (list.Any(m => m is null || string.IsNullOrWhiteSpace(m.UserId) || !EntityIds.IsValid(m.UserId.Trim())))
        {
            return "Every member needs a 'userId' (the token's oid or sub). " + EntityIds.Rule;
        }

        if (list.FirstOrDefault(m => !ProjectRoles.IsKnown(m!.Role)) is { } unknown)
        {
            return $"'{unknown.Role}' is not a role; use one of {string.Join(", ", ProjectRoles.All)}.";
        }

        if (list.GroupBy(m => m!.UserId.Trim()).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return $"'{twice.Key}' is listed twice.";
        }

        return list.Any(m => string.Equals(m!.Role, ProjectRoles.Owner, StringComparison.OrdinalIgnoreCase))
            ? null
            : "A project keeps at least one owner.";
    }
}
