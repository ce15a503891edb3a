using System.ComponentModel.DataAnnotations;

namespace HealthFlow.ServiceDefaults.Http;

/// <summary>Section "Cors": the only origins allowed to call the APIs from a browser.</summary>
public sealed class CorsSettings
{
    public const string SectionName = "Cors";

    [Required, MinLength(1)]
    public string[] AllowedOrigins { get; set; } = ["http://localhost:5173", "http://localhost:5174"];
}
