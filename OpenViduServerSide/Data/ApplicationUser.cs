using Microsoft.AspNetCore.Identity;

namespace OpenViduServerSide.Data;

public sealed class ApplicationUser : IdentityUser;
