// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("lead_proactive_rollout_settings", {
    steps: () => [
        {
            content: "The CRM settings show the rollout block",
            trigger: "#lead_proactive_rollout",
        },
        {
            content: "The checklist lists the three phases",
            trigger: "#lead_proactive_rollout .o_proactive_rollout h5:contains(Days 61-90)",
        },
        {
            content: "Stages shipped by the suite are ticked",
            trigger: "#lead_proactive_rollout li:has(.fa-check-square):contains(Pipeline stages defined)",
        },
        {
            content: "Open the checklist",
            trigger: "#lead_proactive_rollout button[name=action_proactive_open_rollout]",
            run: "click",
        },
        {
            content: "The list is open",
            trigger: ".o_list_view .o_data_row:contains(Salespeople trained on the handoff)",
        },
        {
            content: "Tick the manual handoff item",
            trigger: ".o_data_row:contains(Salespeople trained on the handoff) .o_field_boolean_toggle input",
            run: "click",
        },
        {
            content: "The row shows the item done",
            trigger: ".o_data_row.text-success:contains(Salespeople trained on the handoff)",
        },
    ],
});
