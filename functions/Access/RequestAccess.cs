using Microsoft.AspNetCore.Http;
using Snapshots.Access;
using Snapshots.Errors;
using Snapshots.Functions.Audit;
using Snapshots.Projects;

namespace Snapshots.Functions.Access;

/// <summary>A resource the caller was let at, with who the caller is and their role on its project.</summary>
public sealed record Granted<T>(T Resource, Caller Caller, string? Role)
    where T : class;

/// <summary>
/// Every HTTP function's gate. Throws what refuses the request, answered by <see cref="Http.ProblemMapper"/>:
/// <see cref="AuthenticationRequiredException"/> without a valid token, <see cref="NotFoundException"/> for a
/// project or resource the caller cannot see (no existence leak), <see cref="PermissionDeniedException"/> for a
/// member without the permission.
/// </summary>
public sealed class RequestAccess(CallerAuthenticator authenticator, ProjectAccess projects, ProjectStore store)
{
    public const string ClientPrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    public async Task<Caller> AuthenticateAsync(HttpRequest request)
    {
        var outcome = await authenticator.AuthenticateAsync(
            request.Headers.Authorization, request.Headers[ClientPrincipalHeader], request.HttpContext.RequestAborted);
        var caller = outcome.Caller ?? throw new AuthenticationRequiredException(outcome.Failure!);
        AuditContext.Of(request.HttpContext).Caller = caller;
        return caller;
    }

    /// <summary>Authenticates and requires the environment's admin role (diagnostics).</summary>
    public async Task<Caller> ForAdminAsync(HttpRequest request)
    {
        var caller = await AuthenticateAsync(request);
        return caller.IsAdmin
            ? caller
            : throw new PermissionDeniedException($"This needs the environment's admin role ({EnvironmentRoles.Admin}).");
    }

    /// <summary>Authenticates, then requires <paramref name="permissions"/> on the project.</summary>
    public async Task<Caller> ForProjectAsync(HttpRequest request, string projectId, params Permission[] permissions)
    {
        var caller = await AuthenticateAsync(request);
        await RequireAsync(request, caller, projectId, null, permissions);
        return caller;
    }

    /// <summary>Authenticates, finds the project (not found when missing or hidden) and requires <paramref name="permissions"/> on it.</summary>
    public Task<Granted<Project>> ForExistingProjectAsync(HttpRequest request, string projectId, params Permission[] permissions) =>
        ForResourceAsync(request, cancellationToken => store.GetAsync<Project>(projectId, projectId, cancellationToken), p => p.Id,
            $"No project with id '{projectId}'.", permissions);

    /// <summary>
    /// Requires every permission of <paramref name="permissions"/> on the project; a project the caller cannot see
    /// is not found (<paramref name="notFound"/>, or a detail naming the project).
    /// </summary>
    public async Task RequireAsync(
        Caller caller, string projectId, CancellationToken cancellationToken, string? notFound, params Permission[] permissions) =>
        await DecideAsync(caller, projectId, cancellationToken, notFound, permissions, null);

    /// <summary>As <see cref="RequireAsync(Caller, string, CancellationToken, string?, Permission[])"/>, and the call's audit entry goes to the project's log.</summary>
    public async Task RequireAsync(HttpRequest request, Caller caller, string projectId, string? notFound, params Permission[] permissions) =>
        await DecideAsync(caller, projectId, request.HttpContext.RequestAborted, notFound, permissions, request.HttpContext);

    /// <summary>
    /// Requires that the caller may see an operation: admins see every one; an import (<paramref name="import"/>) is
    /// also visible to its uploader (its project exists only once the export is validated, and not at all if it is
    /// refused) and to whoever may read its project; to anyone else the operation is not found.
    /// </summary>
    public async Task RequireOperationAsync(Caller caller, global::Snapshots.Imports.ImportUpload? import, string notFound, CancellationToken cancellationToken)
    {
        if (caller.IsAdmin)
        {
            return;
        }

        if (import is null)
        {
            throw new NotFoundException(notFound);
        }

        if (import.OwnerId != caller.UserId)
        {
            await RequireAsync(caller, import.ProjectId, cancellationToken, notFound, Permission.ReadProject);
        }
    }

    /// <summary>Whether the caller holds every permission of <paramref name="permissions"/> on the project.</summary>
    public async Task<bool> AllowsAsync(Caller caller, string projectId, CancellationToken cancellationToken, params Permission[] permissions) =>
        (await projects.DecideAsync(caller, projectId, cancellationToken, permissions)).Decision == AccessDecision.Allowed;

    /// <summary>Restoring by identifier reaches any archive in the shared storage: an environment-level right.</summary>
    public static void RequireRestoreFromOutside(Caller caller)
    {
        if (!caller.CanRestoreFromOutside)
        {
            throw new PermissionDeniedException(
                $"Restoring by identifier needs the 'add snapshotrestore' permission on this environment (app role {EnvironmentRoles.Restorer}).");
        }
    }

    /// <summary>
    /// Authenticates, finds a resource that belongs to a project and requires <paramref name="permissions"/> on that
    /// project. A missing resource and one the caller cannot see are the same not found.
    /// </summary>
    public async Task<Granted<T>> ForResourceAsync<T>(
        HttpRequest request, Func<CancellationToken, Task<T?>> find, Func<T, string> projectOf, string notFound, params Permission[] permissions)
        where T : class
    {
        var caller = await AuthenticateAsync(request);
        var cancellationToken = request.HttpContext.RequestAborted;
        var resource = await find(cancellationToken) ?? throw new NotFoundException(notFound);
        var role = await DecideAsync(caller, projectOf(resource), cancellationToken, notFound, permissions, request.HttpContext);
        return new Granted<T>(resource, caller, role);
    }

    /// <summary>
    /// The caller's role on the project when they hold every permission; throws otherwise. A member's call (allowed
    /// or refused) is audited in the project's log; a stranger's is not, so nobody fills the log of a project they cannot see.
    /// </summary>
    private async Task<string?> DecideAsync(
        Caller caller, string projectId, CancellationToken cancellationToken, string? notFound, Permission[] permissions, HttpContext? audited)
    {
        var (decision, missing, role) = await projects.DecideAsync(caller, projectId, cancellationToken, permissions);
        if (audited is not null && decision != AccessDecision.Hidden)
        {
            AuditContext.Of(audited).RememberProject(projectId);
        }

        return decision switch
        {
            AccessDecision.Allowed => role,
            AccessDecision.Hidden => throw new NotFoundException(notFound ?? $"No project with id '{projectId}'."),
            _ => throw new PermissionDeniedException(
                $"You need the '{Permissions.NameOf(missing!.Value)}' permission on project '{projectId}' for this."),
        };
    }
}
