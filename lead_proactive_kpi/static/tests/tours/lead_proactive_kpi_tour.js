// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Opens the KPI pivot from CRM > Reporting and checks that it shows the
// lead sources as columns and the booked rate as a measure.
registry.category("web_tour.tours").add("lead_proactive_kpi_pivot_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            content: "Open the CRM app",
            run: "click",
        },
        {
            trigger: ".dropdown-toggle[data-menu-xmlid='crm.crm_menu_report']",
            content: "Open the Reporting menu",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='lead_proactive_kpi.proactive_lead_report_menu']",
            content: "Open Lead Response KPIs",
            run: "click",
        },
        {
            trigger: ".o_pivot_view .o_pivot table",
            content: "The pivot table is displayed",
        },
        {
            trigger: ".o_pivot_view .o_pivot_measure_row:contains('Booked Rate (%)')",
            content: "The booked rate is a measure",
        },
        {
            trigger: ".o_pivot_view .o_pivot_header_cell_closed:contains('KPI Tour Source'), .o_pivot_view th:contains('KPI Tour Source')",
            content: "The lead's source is a column",
        },
    ],
});
