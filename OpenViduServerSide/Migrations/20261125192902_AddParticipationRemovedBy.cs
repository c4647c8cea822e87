using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpenViduServerSide.Migrations
{
    /// <inheritdoc />
    public partial class AddParticipationRemovedBy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RemovedBy",
                table: "Participations",
                type: "TEXT",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RemovedBy",
                table: "Participations");
        }
    }
}
