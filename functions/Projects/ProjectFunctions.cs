using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Snapshots.Access;
using Snapshots.Functions.Access;
using Snapshots.Functions.Http;
using Snapshots.Projects;

namespace Snapshots.Functions.Projects;

public sealed class ProjectFunctions(ProjectStore store, MembershipStore members, RequestAccess access, TimeProvider clock)
{
    public const int MaxNameLength = 200;

    [Function(nameof(CreateProject))]
    public async Task<IActionResult> CreateProject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "projects")] HttpRequest request)
    {
        var caller = await access.AuthenticateAsync(request);

        var (body, error) = await RequestBodies.ReadJsonAsync<CreateProjectBody>(request);
        if (body is null)
        {
            return Problems.BadRequest(error!);
        }

        if (ProjectNames.Validate(body.Name) is { } nameError)
        {
            return Problems.BadRequest(nameError);
        }

        var project = new Project { Id = Guid.NewGuid().ToString("N"), Name = body.Name!.Trim(), Description = body.Description, CreatedAt = clock.GetUtcNow() };
        await store.SaveProjectAsync(project, request.HttpContext.RequestAborted);
        await members.GrantOwnerAsync(project, caller, request.HttpContext.RequestAborted);
        return new CreatedResult($"/api/projects/{project.Id}", ProjectView.From(project, null));
    }

    [Function(nameof(ListProjects))]
    public async Task<IActionResult> ListProjects(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects")] HttpRequest request)
    {
        var caller = await access.AuthenticateAsync(request);

        if (!RequestBodies.TryReadPageSize(request, out var pageSize))
        {
            return Problems.BadRequest("'pageSize' must be a whole number from 1 to 1000.");
        }

        // Admins see every project; anyone else the projects they are a member of.
        var cancellationToken = request.HttpContext.RequestAborted;
        var page = caller.IsAdmin
            ? await store.ListProjectsAsync(pageSize, request.Query["continuationToken"], cancellationToken)
            : await members.ListProjectsOfAsync(caller.UserId, pageSize, request.Query["continuationToken"], cancellationToken);
        return new OkObjectResult(new PageView<ProjectIndexEntry>(page.Items, page.ContinuationToken));
    }

    [Function(nameof(GetProject))]
    public async Task<IActionResult> GetProject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}")] HttpRequest request,
        string projectId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (project, _, role) = await access.ForExistingProjectAsync(request, projectId, Permission.ReadProject);
        return new OkObjectResult(ProjectView.From(project, await store.CountAsync(projectId, Visibility.Of(project), cancellationToken), ProjectAccessView.For(role!)));
    }

    [Function(nameof(ListDocuments))]
    public async Task<IActionResult> ListDocuments(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{projectId}/documents")] HttpRequest request,
        string projectId)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var project = (await access.ForExistingProjectAsync(request, projectId, Permission.ReadProject)).Resource;

        if (!RequestBodies.TryReadPageSize(request, out var pageSize))
        {
            return Problems.BadRequest("'pageSize' must be a whole number from 1 to 1000.");
        }

        var page = await store.PageAsync<Document>(projectId, Visibility.Of(project), pageSize, request.Query["continuationToken"], cancellationToken);
        return new OkObjectResult(new PageView<Document>(page.Items, page.ContinuationToken));
    }
}

internal static class ProjectNames
{
    public static string? Validate(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "A project needs a 'name'."
        : name.Trim().Length > ProjectFunctions.MaxNameLength ? $"A project name has at most {ProjectFunctions.MaxNameLength} characters."
        : null;
}
