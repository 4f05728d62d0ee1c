"""Live biofeedback: what the patient sees and hears while exercising."""
