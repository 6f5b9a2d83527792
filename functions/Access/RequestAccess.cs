using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Snapshots.Access;
using Snapshots.Functions.Http;
using Snapshots.Projects;

namespace Snapshots.Functions.Access;

/// <summary>The outcome of an access check: the caller when let in, else the problem to answer with.</summary>
/// <param name="Role">The caller's role on the project that was checked, when one was.</param>
public sealed record AccessResult(Caller? Caller, IActionResult? Denied, string? Role = null)
{
    public Caller User => Caller ?? throw new InvalidOperationException("The caller was denied.");
}

/// <summary>A resource found and allowed, or the problem to answer with.</summary>
public sealed record Guarded<T>(T? Resource, AccessResult Access)
    where T : class
{
    public IActionResult? Denied => Access.Denied;

    public T Value => Resource ?? throw new InvalidOperationException("The caller was denied.");
}

/// <summary>
/// Every HTTP function's gate: 401 without a valid token, 404 for a project the caller cannot see (no existence
/// leak), 403 for a member without the permission.
/// </summary>
public sealed class RequestAccess(CallerAuthenticator authenticator, ProjectAccess projects, ProjectStore store)
{
    public const string ClientPrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    public async Task<AccessResult> AuthenticateAsync(HttpRequest request)
    {
        var outcome = await authenticator.AuthenticateAsync(
            request.Headers.Authorization, request.Headers[ClientPrincipalHeader], request.HttpContext.RequestAborted);
        if (outcome.Caller is not null)
        {
            return new AccessResult(outcome.Caller, null);
        }

        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return new AccessResult(null, Problems.For(StatusCodes.Status401Unauthorized, outcome.Failure!));
    }

    /// <summary>Authenticates and requires the environment's admin role (diagnostics).</summary>
    public async Task<AccessResult> ForAdminAsync(HttpRequest request)
    {
        var access = await AuthenticateAsync(request);
        return access.Denied is not null || access.User.IsAdmin
            ? access
            : access with { Denied = Problems.For(StatusCodes.Status403Forbidden, $"This needs the environment's admin role ({EnvironmentRoles.Admin}).") };
    }

    /// <summary>Authenticates, then checks <paramref name="permissions"/> on the project.</summary>
    public async Task<AccessResult> ForProjectAsync(HttpRequest request, string projectId, params Permission[] permissions)
    {
        var access = await AuthenticateAsync(request);
        return access.Denied is null
            ? access with { Denied = await CheckAsync(access.User, projectId, request.HttpContext.RequestAborted, null, permissions) }
            : access;
    }

    /// <summary>Authenticates, finds the project (404 when missing or hidden) and checks <paramref name="permissions"/> on it.</summary>
    public Task<Guarded<Project>> ForExistingProjectAsync(HttpRequest request, string projectId, params Permission[] permissions) =>
        ForResourceAsync(request, cancellationToken => store.GetAsync<Project>(projectId, projectId, cancellationToken), p => p.Id,
            $"No project with id '{projectId}'.", permissions);

    /// <summary>Null when the caller holds every permission, else the 404 (<paramref name="notFound"/>) or 403 to answer with.</summary>
    public async Task<IActionResult?> CheckAsync(
        Caller caller, string projectId, CancellationToken cancellationToken, string? notFound, params Permission[] permissions) =>
        (await DecideAsync(caller, projectId, cancellationToken, notFound, permissions)).Denied;

    private async Task<(IActionResult? Denied, string? Role)> DecideAsync(
        Caller caller, string projectId, CancellationToken cancellationToken, string? notFound, Permission[] permissions)
    {
        var (decision, missing, role) = await projects.DecideAsync(caller, projectId, cancellationToken, permissions);
        return decision switch
        {
            AccessDecision.Allowed => (null, role),
            AccessDecision.Hidden => (Problems.NotFound(notFound ?? $"No project with id '{projectId}'."), null),
            _ => (Problems.For(StatusCodes.Status403Forbidden,
                $"You need the '{Permissions.NameOf(missing!.Value)}' permission on project '{projectId}' for this."), role),
        };
    }

    /// <summary>
    /// Authenticates, finds a resource that belongs to a project and checks <paramref name="permissions"/> on that
    /// project. A missing resource and one the caller cannot see answer the same 404.
    /// </summary>
    public async Task<Guarded<T>> ForResourceAsync<T>(
        HttpRequest request, Func<CancellationToken, Task<T?>> find, Func<T, string> projectOf, string notFound, params Permission[] permissions)
        where T : class
    {
        var access = await AuthenticateAsync(request);
        if (access.Denied is not null)
        {
            return new Guarded<T>(null, access);
        }

        var cancellationToken = request.HttpContext.RequestAborted;
        var resource = await find(cancellationToken);
        if (resource is null)
        {
            return new Guarded<T>(null, access with { Denied = Problems.NotFound(notFound) });
        }

        var (denied, role) = await DecideAsync(access.User, projectOf(resource), cancellationToken, notFound, permissions);
        return new Guarded<T>(denied is null ? resource : null, access with { Denied = denied, Role = role });
    }
}
