namespace OrleansExport.Silo.Hosting;

/// <summary>
/// What a host built on the silo's adds to it (src/OrleansExport.Demo adds the demo): the production host
/// passes none.
/// </summary>
public interface ISiloExtension
{
    /// <summary>Before the silo reads its settings and registers its services: configuration defaults go here.</summary>
    void Configure(WebApplicationBuilder builder);

    /// <summary>After the silo's own services: hosted services added here start after the silo's and stop before them.</summary>
    void AddServices(WebApplicationBuilder builder);
}
