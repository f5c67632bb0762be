// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

// The Python test creates an opportunity with this name, assigned to the
// tour user, with a breached first-reply SLA.
const LEAD_NAME = "Dana Whitfield - ready to pay today";

function kanbanSlaSteps() {
    return [
        {
            content: "The pipeline card shows the breached SLA",
            trigger: `.o_kanban_record:contains("${LEAD_NAME}") .o_field_widget[name=sla_status] .badge:contains(Breached)`,
        },
    ];
}

function openLeadSteps() {
    return [
        {
            content: "Open the high-intent lead from the pipeline",
            trigger: `.o_kanban_record:contains("${LEAD_NAME}")`,
            run: "click",
        },
        {
            content: "The lead form is open",
            trigger: `.o_form_view .o_breadcrumb:contains("${LEAD_NAME}")`,
        },
    ];
}

function formSlaSteps() {
    return [
        {
            content: "The SLA group shows the breached status",
            trigger: ".o_form_view .o_field_widget[name=sla_status] .badge.text-bg-danger:contains(Breached)",
        },
        {
            content: "The SLA group shows the deadline that was missed",
            trigger: ".o_form_view .o_field_widget[name=sla_deadline]",
            run() {
                if (!this.anchor.textContent.trim()) {
                    throw new Error("The SLA deadline is empty on a breached lead.");
                }
            },
        },
    ];
}

function handoffSteps() {
    return [
        {
            content: "The handoff summary is on the form and not empty",
            trigger: ".o_form_view .o_field_widget[name=proactive_handoff_summary]",
            run() {
                if (!this.anchor.textContent.trim()) {
                    throw new Error("The handoff summary of a high-intent lead is empty.");
                }
            },
        },
    ];
}

// The handoff summary field comes with lead routing: the Python test runs
// this tour when crm.lead has the field, and the one below otherwise.
registry.category("web_tour.tours").add("lead_proactive_lead_form_handoff", {
    steps: () => [...kanbanSlaSteps(), ...openLeadSteps(), ...handoffSteps(), ...formSlaSteps()],
});

registry.category("web_tour.tours").add("lead_proactive_lead_form", {
    steps: () => [...kanbanSlaSteps(), ...openLeadSteps(), ...formSlaSteps()],
});
