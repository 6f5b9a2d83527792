using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Snapshots.Access;

/// <summary>
/// Tokens for local development, signed with a key the local runtime creates on first start. The same key file
/// lets the CLI mint tokens (<c>snapshots token</c>) and pick up an admin token without a sign-in.
/// </summary>
public static class DevelopmentTokens
{
    public const string Issuer = "snapshots-local-development";
    public const string Audience = "snapshots";
    public const string ProjectRolesClaim = "snapshots_project_roles";

    /// <summary>Where the local runtime keeps its key: per user, so the run command and the CLI find it from anywhere.</summary>
    public static string DefaultKeyPath { get; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.Create), "snapshots", "development-signing-key");

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key at <paramref name="path"/>, or null when there is none.</summary>
    public static string? TryReadKey(string? path) => path is not null && File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    /// <summary>Reads the key at <paramref name="path"/>, creating it (readable by this user only) when missing.</summary>
    public static string LoadOrCreateKey(string path)
    {
        if (TryReadKey(path) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = NewKey();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(key);
            return key;
        }
        catch (IOException) when (TryReadKey(path) is { } created)
        {
            return created; // another process created it first
        }
    }

    public static SymmetricSecurityKey SigningKey(string key) => new(Convert.FromBase64String(key)) { KeyId = "development" };

    public static string Mint(string key, DevelopmentTokenRequest request, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, request.UserId), new("name", request.Name ?? request.UserId) };
        claims.AddRange(request.EnvironmentRoles.Select(role => new Claim("roles", role)));
        claims.AddRange(request.ProjectRoles.Select(grant => new Claim(ProjectRolesClaim, $"{grant.Key}:{grant.Value}")));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now.AddMinutes(-5),
            Expires = now.Add(request.Lifetime),
            SigningCredentials = new SigningCredentials(SigningKey(key), SecurityAlgorithms.HmacSha256),
        });
    }
}

public sealed record DevelopmentTokenRequest(string UserId)
{
    public string? Name { get; init; }

    public IReadOnlyList<string> EnvironmentRoles { get; init; } = [];

    public IReadOnlyDictionary<string, string> ProjectRoles { get; init; } = new Dictionary<string, string>();

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(12);
}
